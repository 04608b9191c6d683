package axc.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Hand-made archives, including broken ones the writer would never produce. */
final class Craft {
    private Craft() {
    }

    /** A ustar archive of {@code entries} in the given order (names are not checked), then two zero blocks. */
    static byte[] tar(List<Map.Entry<String, byte[]>> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries) {
            out.writeBytes(Tar.header(e.getKey(), e.getValue().length));
            out.writeBytes(e.getValue());
            out.writeBytes(new byte[(int) (Tar.padded(e.getValue().length) - e.getValue().length)]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** An archive whose manifest lists {@code listed} while the archive holds {@code actual}. */
    static byte[] withManifest(List<Map.Entry<String, byte[]>> listed, List<Map.Entry<String, byte[]>> actual) {
        Manifest planned = BundleWriter.plan(Fixtures.emptyManifest(),
                listed.stream().map(e -> Map.entry(e.getKey(), (long) e.getValue().length)).toList());
        Manifest m = planned.withEntries(planned.entries().stream().map(e -> new Manifest.Entry(e.name(), e.offset(), e.size(),
                axc.formats.io.Sha256.of(listed.stream().filter(x -> x.getKey().equals(e.name())).findFirst().orElseThrow().getValue())))
                .toList());
        List<Map.Entry<String, byte[]>> all = new java.util.ArrayList<>();
        all.add(Map.entry(Manifest.NAME, m.toJson()));
        all.addAll(actual);
        return tar(all);
    }

    /** Replaces the first occurrence of {@code from} by {@code to} (same length) in {@code file}. */
    static byte[] replace(byte[] file, String from, String to) {
        if (from.length() != to.length()) throw new IllegalArgumentException("lengths differ");
        byte[] f = from.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + f.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + f.length, f, 0, f.length)) {
                byte[] copy = file.clone();
                System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, copy, i, f.length);
                return copy;
            }
        }
        throw new IllegalArgumentException("'" + from + "' not found");
    }

    /** Rewrites the name in the header at {@code headerOffset} and fixes its checksum. */
    static byte[] rename(byte[] file, long headerOffset, String name) {
        byte[] copy = file.clone();
        int at = (int) headerOffset;
        Arrays.fill(copy, at, at + Tar.NAME_LEN, (byte) 0);
        Arrays.fill(copy, at + Tar.PREFIX, at + Tar.PREFIX + Tar.PREFIX_LEN, (byte) 0);
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, copy, at, n.length);
        byte[] h = Arrays.copyOfRange(copy, at, at + Tar.BLOCK);
        TarTest.fixChecksum(h);
        System.arraycopy(h, 0, copy, at, Tar.BLOCK);
        return copy;
    }
}
