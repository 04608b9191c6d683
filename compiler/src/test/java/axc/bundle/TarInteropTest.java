package axc.bundle;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outside tar implementations read what {@link BundleWriter} writes: GNU tar (the system's
 * {@code /usr/bin/tar}) lists and extracts it, Apache Commons Compress reads it and finds each entry's
 * data at the offset the manifest lists.
 */
class TarInteropTest {
    private static final String TAR = "/usr/bin/tar";

    @TempDir
    Path dir;
    Path axc;
    Manifest manifest;
    Map<String, byte[]> entries;

    @BeforeEach
    void write() {
        entries = new TreeMap<>(Fixtures.sample());
        // A name longer than ustar's 100-byte name field: stored with the prefix field.
        entries.put("weights/" + "very_long_layer_name.".repeat(6) + "/" + "w".repeat(95), Fixtures.random(9, 1000));
        axc = dir.resolve("model.axc");
        manifest = Fixtures.writerWith(entries).finish(axc);
    }

    private record Result(int code, String out, String err) {
    }

    private Result run(String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile(dir, "tar", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out;
        try (InputStream o = p.getInputStream()) {
            out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tar finished");
        String errText = Files.readString(err);
        Files.delete(err);
        return new Result(p.exitValue(), out, errText);
    }

    @Test
    void gnuTarListsManifestFirstThenSortedEntriesOwnedByRootAtEpoch() throws Exception {
        Result r = run(TAR, "--numeric-owner", "-tvf", axc.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        List<String> expected = new ArrayList<>();
        expected.add(Manifest.NAME);
        expected.addAll(entries.keySet());
        assertEquals(expected.size(), lines.size(), r.out());
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            // -rw-r--r-- 0/0 SIZE 1970-01-01 00:00 NAME
            assertEquals("-rw-r--r--", f[0], lines.get(i));
            assertEquals("0/0", f[1], lines.get(i));
            long size = i == 0 ? manifest.toJson().length : entries.get(expected.get(i)).length;
            assertEquals(Long.toString(size), f[2], lines.get(i));
            assertEquals("1970-01-01", f[3], lines.get(i));
            assertEquals("00:00", f[4], lines.get(i));
            assertEquals(expected.get(i), f[5], lines.get(i));
        }
    }

    @Test
    void gnuTarExtractsIdenticalContents() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Result r = run(TAR, "-xf", axc.toString(), "-C", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertArrayEquals(manifest.toJson(), Files.readAllBytes(out.resolve(Manifest.NAME)));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(out.resolve(e.getKey())), e.getKey());
        }
        try (var files = Files.walk(out)) {
            assertEquals(entries.size() + 1, files.filter(Files::isRegularFile).count(), "nothing else extracted");
        }
    }

    @Test
    void gnuTarPrintsTheManifestWithoutReadingFurther() throws Exception {
        Result r = run(TAR, "--occurrence=1", "-xOf", axc.toString(), Manifest.NAME);
        assertEquals(0, r.code(), r.err());
        assertEquals(new String(manifest.toJson(), StandardCharsets.UTF_8), r.out());
    }

    @Test
    void commonsCompressReadsEveryEntry() throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(axc))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
                assertTrue(e.isFile(), e.getName());
                assertEquals(0644, e.getMode() & 07777, e.getName());
                assertEquals(0, e.getLongUserId());
                assertEquals(0, e.getLongGroupId());
                assertEquals("", e.getUserName());
                assertEquals("", e.getGroupName());
                assertEquals(0, e.getModTime().getTime());
                byte[] data = in.readAllBytes();
                assertArrayEquals(e.getName().equals(Manifest.NAME) ? manifest.toJson() : entries.get(e.getName()), data, e.getName());
            }
        }
        List<String> expected = new ArrayList<>();
        expected.add(Manifest.NAME);
        expected.addAll(entries.keySet());
        assertEquals(expected, names);
    }

    @Test
    void commonsCompressFindsDataAtTheManifestsOffsets() throws IOException {
        try (TarFile tar = new TarFile(axc)) {
            List<TarArchiveEntry> all = tar.getEntries();
            assertEquals(Manifest.NAME, all.getFirst().getName());
            assertEquals(512, all.getFirst().getDataOffset());
            for (TarArchiveEntry e : all.subList(1, all.size())) {
                Manifest.Entry m = manifest.entry(e.getName()).orElseThrow();
                assertEquals(m.offset(), e.getDataOffset(), e.getName());
                assertEquals(m.size(), e.getSize(), e.getName());
            }
        }
    }

    @Test
    void anArchiveMadeByGnuTarIsNotAnArtifact() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("config.json"), "{}");
        Path other = dir.resolve("other.tar");
        Result r = run(TAR, "--format=ustar", "-cf", other.toString(), "-C", src.toString(), "config.json");
        assertEquals(0, r.code(), r.err());
        var e = org.junit.jupiter.api.Assertions.assertThrows(axc.errors.InvalidInputException.class,
                () -> Bundle.open(other, VerificationCache.none()));
        assertEquals(other + ": first entry is 'config.json', not manifest.json: not an axc artifact", e.getMessage());
    }
}
