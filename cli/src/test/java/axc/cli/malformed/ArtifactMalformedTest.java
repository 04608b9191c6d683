package axc.cli.malformed;

import axc.cli.CliHarness;
import axc.examples.ExampleModels;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A compiled {@code .axc} artifact, read back with Commons Compress and rewritten wrong in one way
 * per case, fed to {@code axc validate --verify-only} and to {@code axc run}.
 */
class ArtifactMalformedTest {
    private static final String MANIFEST = "manifest.json";

    @TestFactory
    Stream<DynamicTest> everyMalformedArtifactIsRefused(@TempDir Path tmp) throws IOException {
        Path model = ExampleModels.extractTinyPy(tmp.resolve("model"));
        Path artifact = tmp.resolve("good.axc");
        CliHarness compiled = CliHarness.run("-q", "compile", model.toString(), "--target", "reference", "-o", artifact.toString());
        assertEquals(0, compiled.code(), compiled.err());
        byte[] good = Files.readAllBytes(artifact);
        Map<String, byte[]> entries = entries(artifact);
        String manifest = new String(entries.get(MANIFEST), StandardCharsets.UTF_8);
        String someEntry = entries.keySet().stream().filter(n -> !n.equals(MANIFEST)).findFirst().orElseThrow();

        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("empty file", new Object[]{"", new byte[0]});
        cases.put("not an archive", new Object[]{"", "{\"format\": \"axc\"}".repeat(100).getBytes(StandardCharsets.UTF_8)});
        cases.put("truncated", new Object[]{"truncated", Arrays.copyOf(good, good.length / 2)});
        cases.put("one byte changed", new Object[]{"sha256", tamper(good, entries, someEntry)});
        cases.put("entry name with ..", new Object[]{"..", rewrite(entries, m -> rename(m, someEntry, "../" + someEntry))});
        cases.put("absolute entry name", new Object[]{"absolute", rewrite(entries, m -> rename(m, someEntry, "/tmp/" + someEntry))});
        cases.put("duplicate entry", new Object[]{"duplicate", build(entries, t -> t.entry(someEntry, entries.get(someEntry)))});
        cases.put("symbolic link entry", new Object[]{"link", build(entries, t -> t.entry("escape", TarBytes.SYMLINK, "/etc/passwd", 0, new byte[0]))});
        cases.put("hard link entry", new Object[]{"link", build(entries, t -> t.entry("escape", TarBytes.HARD_LINK, "/etc/passwd", 0, new byte[0]))});
        cases.put("entry the manifest does not list", new Object[]{"manifest", build(entries, t -> t.entry("extra.bin", new byte[16]))});
        cases.put("entry the manifest lists is missing", new Object[]{"missing", rewrite(entries, m -> m.remove(someEntry))});
        cases.put("no manifest", new Object[]{MANIFEST, rewrite(entries, m -> m.remove(MANIFEST))});
        cases.put("manifest not JSON", new Object[]{MANIFEST, rewrite(entries, m -> m.put(MANIFEST, "{\"format\":".getBytes(StandardCharsets.UTF_8)))});
        cases.put("manifest nested a million deep", new Object[]{MANIFEST, rewrite(entries, m -> m.put(MANIFEST, ModelFolder.nested(1_000_000, "[", "]").getBytes(StandardCharsets.UTF_8)))});
        cases.put("format from the future", new Object[]{"not supported", rewrite(entries, m -> m.put(MANIFEST, manifest.replace("axc.bundle/1", "axc.bundle/9").getBytes(StandardCharsets.UTF_8)))});
        cases.put("size field of 8 GiB", new Object[]{"", lyingSize(entries, someEntry, "77777777777")});
        cases.put("size field not octal", new Object[]{"size", lyingSize(entries, someEntry, "12345z78901")});
        cases.put("header checksum wrong", new Object[]{"checksum", badChecksum(good)});

        List<DynamicTest> tests = new ArrayList<>();
        for (var c : cases.entrySet()) {
            for (String command : List.of("validate", "run")) {
                String name = command + ": " + c.getKey();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Path f = Files.write(tmp.resolve(c.getKey().replaceAll("[^A-Za-z0-9]+", "-") + "-" + command + ".axc"), (byte[]) c.getValue()[1]);
                    String[] args = command.equals("validate")
                            ? new String[]{"validate", "--verify-only", f.toString()}
                            : new String[]{"run", f.toString(), "--prompt", "hello", "--max-tokens", "2"};
                    new Refusal(name, f, (String) c.getValue()[0], null, args).check();
                }));
            }
        }
        return tests.stream();
    }

    /** The artifact's entries in archive order, as Commons Compress reads them. */
    private static Map<String, byte[]> entries(Path artifact) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(artifact); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) m.put(e.getName(), tar.readAllBytes());
        }
        return m;
    }

    private static byte[] rewrite(Map<String, byte[]> entries, java.util.function.Consumer<Map<String, byte[]>> change) {
        Map<String, byte[]> m = new LinkedHashMap<>(entries);
        change.accept(m);
        return build(m, t -> t);
    }

    private static byte[] build(Map<String, byte[]> entries, Function<TarBytes, TarBytes> extra) {
        TarBytes t = new TarBytes();
        entries.forEach(t::entry);
        return extra.apply(t).end();
    }

    private static void rename(Map<String, byte[]> m, String from, String to) {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k.equals(from) ? to : k, v));
        m.clear();
        m.putAll(copy);
    }

    /** The archive with the first data byte of {@code entry} flipped. */
    private static byte[] tamper(byte[] good, Map<String, byte[]> entries, String entry) {
        long at = 0;
        for (var e : entries.entrySet()) {
            at += 512;
            if (e.getKey().equals(entry)) break;
            at += (e.getValue().length + 511) / 512 * 512L;
        }
        byte[] b = good.clone();
        b[(int) at] ^= 1;
        return b;
    }

    /** The archive with {@code entry}'s header declaring {@code size} (an 11-character field). */
    private static byte[] lyingSize(Map<String, byte[]> entries, String entry, String size) {
        TarBytes t = new TarBytes();
        entries.forEach((k, v) -> {
            if (k.equals(entry)) {
                t.raw(TarBytes.header(k, TarBytes.FILE, "", size));
                t.raw(Arrays.copyOf(v, (v.length + 511) / 512 * 512));
            } else {
                t.entry(k, v);
            }
        });
        return t.end();
    }

    private static byte[] badChecksum(byte[] good) {
        byte[] b = good.clone();
        b[148] = (byte) (b[148] == '1' ? '2' : '1');
        return b;
    }
}
