package axc.bundle;

import axc.errors.InvalidInputException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening, reading and refusing artifacts: every problem is one line naming the file. */
class BundleReaderTest {
    @TempDir
    Path dir;
    Path good;
    Manifest manifest;
    byte[] bytes;

    @BeforeEach
    void writeOne() throws IOException {
        good = dir.resolve("good.axc");
        manifest = Fixtures.writerWith(Fixtures.sample()).finish(good);
        bytes = Files.readAllBytes(good);
    }

    private Manifest.Entry entry(String name) {
        return manifest.entry(name).orElseThrow();
    }

    /** Writes {@code content} as an artifact and expects open (and, if that passes, verify) to refuse it. */
    private String refused(byte[] content) throws IOException {
        Path bad = dir.resolve("bad.axc");
        Files.write(bad, content);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> {
            try (Bundle b = Bundle.open(bad, VerificationCache.none())) {
                b.verify();
            }
        });
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "'" + message + "' lacks '" + part + "'");
    }

    @Test
    void readsEntriesInPlace() {
        try (Bundle b = Bundle.open(good, VerificationCache.none())) {
            assertEquals(manifest, b.manifest());
            assertEquals(List.copyOf(Fixtures.sample().keySet()), b.names());
            for (Map.Entry<String, byte[]> e : Fixtures.sample().entrySet()) {
                assertArrayEquals(e.getValue(), b.data(e.getKey()).toArray(ValueLayout.JAVA_BYTE), e.getKey());
                assertEquals(0, b.data(e.getKey()).address() % 512, "mapped data is block-aligned: " + e.getKey());
                assertTrue(b.contains(e.getKey()));
            }
            assertArrayEquals(Fixtures.sample().get("config.json"), b.bytes("config.json"));
            assertEquals(bytes.length, b.fileSize());
            assertEquals(Bundle.Verification.HASHED, b.verify());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> b.data("nope"));
            assertEquals(good + ": has no entry 'nope'", e.getMessage());
        }
    }

    @Test
    void missingFileOrFolder() throws IOException {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Bundle.open(dir.resolve("none.axc")));
        assertEquals(dir.resolve("none.axc") + ": file not found", e.getMessage());
        Files.createDirectory(dir.resolve("d.axc"));
        e = assertThrows(InvalidInputException.class, () -> Bundle.open(dir.resolve("d.axc")));
        assertEquals(dir.resolve("d.axc") + ": is not a regular file", e.getMessage());
    }

    @Test
    void tamperedByteIsFoundByVerifyNamingTheEntry() throws IOException {
        Manifest.Entry w = entry("weights/model.layers.0.mlp.down_proj.weight");
        byte[] bad = bytes.clone();
        bad[(int) (w.offset() + w.size() / 2)] ^= 1;
        String m = refused(bad);
        assertContains(m, "entry 'weights/model.layers.0.mlp.down_proj.weight' is corrupt");
    }

    @Test
    void tamperedHashInTheManifestIsFoundByVerify() throws IOException {
        Manifest.Entry t = entry("tokenizer.json");
        String flipped = (t.sha256().charAt(0) == 'a' ? "b" : "a") + t.sha256().substring(1);
        assertContains(refused(Craft.replace(bytes, t.sha256(), flipped)), "entry 'tokenizer.json' is corrupt");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 511, 512, 700, 2047})
    void truncatedAtTheStart(int length) throws IOException {
        String m = refused(Arrays.copyOf(bytes, length));
        assertTrue(m.contains("truncated") || m.contains("not an axc artifact"), m);
    }

    @Test
    void truncatedAnywhereElse() throws IOException {
        Manifest.Entry t = entry("tokenizer.json");
        assertContains(refused(Arrays.copyOf(bytes, (int) t.offset() + 100)),
                "truncated: entry 'tokenizer.json' needs 3000 bytes at offset " + t.offset());
        assertContains(refused(Arrays.copyOf(bytes, (int) t.offset() - 100)), "truncated");
        assertContains(refused(Arrays.copyOf(bytes, bytes.length - 512)), "end-of-archive marker");
        assertContains(refused(Arrays.copyOf(bytes, bytes.length - 1024)), "truncated");
        Manifest.Entry last = manifest.entries().getLast();
        assertContains(refused(Arrays.copyOf(bytes, (int) Tar.padded(last.offset() + last.size()) - 512)), "truncated");
    }

    @Test
    void dataAfterTheEndIsRefused() throws IOException {
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 512);
        longer[longer.length - 3] = 1;
        assertContains(refused(longer), "bytes of data after the end-of-archive marker");
        try (Bundle b = Bundle.open(write(Arrays.copyOf(bytes, bytes.length + 10240)), VerificationCache.none())) {
            assertEquals(manifest, b.manifest(), "zero records after the marker (as tar pads) are fine");
        }
    }

    private Path write(byte[] content) throws IOException {
        Path p = dir.resolve("other.axc");
        Files.write(p, content);
        return p;
    }

    @Test
    void badChecksums() throws IOException {
        Manifest.Entry t = entry("tokenizer.json");
        byte[] bad = bytes.clone();
        bad[(int) t.offset() - 512 + Tar.MTIME] = '1';
        assertContains(refused(bad), "header at offset " + (t.offset() - 512) + ": bad header checksum");
        byte[] first = bytes.clone();
        first[Tar.MODE] = '1';
        assertContains(refused(first), "header at offset 0: bad header checksum");
        assertContains(refused("hello, world\n".repeat(400).getBytes()), "not an axc artifact");
    }

    @Test
    void dotDotAbsoluteAndDuplicateNamesAreRefused() throws IOException {
        long h = entry("tokenizer.json").offset() - 512;
        assertContains(refused(Craft.rename(bytes, h, "../tokenizer.js")), "entry name '../tokenizer.js' has a '..' segment");
        assertContains(refused(Craft.rename(bytes, h, "/etc/tokenizer")), "entry name '/etc/tokenizer' is absolute");
        assertContains(refused(Craft.rename(bytes, h, "a\\b")), "backslash");
        long second = entry("config.json").offset() - 512;
        assertContains(refused(Craft.rename(bytes, second, "code/plan.bin")), "duplicate entry 'code/plan.bin'");
        assertContains(refused(Craft.rename(bytes, second, Manifest.NAME)), "duplicate entry 'manifest.json'");
    }

    @Test
    void duplicatesInTheManifestAreRefused() throws IOException {
        byte[] a = {1};
        byte[] crafted = Craft.withManifest(List.of(Map.entry("a", a), Map.entry("b", a)), List.of(Map.entry("a", a), Map.entry("b", a)));
        byte[] twice = Craft.replace(crafted, "\"name\": \"b\"", "\"name\": \"a\"");
        assertContains(refused(twice), "manifest.json: duplicate entry 'a'");
    }

    @Test
    void manifestAndArchiveMustAgree() throws IOException {
        Manifest.Entry t = entry("tokenizer.json");
        assertContains(refused(Craft.replace(bytes, "\"size\": 3000", "\"size\": 3001")),
                "manifest.json lists entry 'tokenizer.json' with 3001 bytes, the archive has 3000");
        String off = "\"offset\": " + t.offset();
        String moved = "\"offset\": " + (t.offset() - 512);
        assertEquals(off.length(), moved.length());
        assertContains(refused(Craft.replace(bytes, off, moved)),
                "manifest.json lists entry 'tokenizer.json' at offset " + (t.offset() - 512) + ", the archive has it at " + t.offset());
        assertContains(refused(Craft.replace(bytes, "\"tokenizer.json\"", "\"tokenizer.jsom\"")),
                "entry 'tokenizer.json' at offset " + t.offset() + " does not match manifest.json, which lists 'tokenizer.jsom' next");

        byte[] a = Fixtures.random(1, 700);
        byte[] b = Fixtures.random(2, 10);
        assertContains(refused(Craft.withManifest(List.of(Map.entry("a", a)), List.of(Map.entry("a", a), Map.entry("b", b)))),
                "is not listed in manifest.json");
        assertContains(refused(Craft.withManifest(List.of(Map.entry("a", a), Map.entry("b", b)), List.of(Map.entry("a", a)))),
                "entry 'b' listed in manifest.json is missing from the archive");
        try (Bundle ok = Bundle.open(write(Craft.withManifest(List.of(Map.entry("a", a)), List.of(Map.entry("a", a)))),
                VerificationCache.none())) {
            assertEquals(Bundle.Verification.HASHED, ok.verify(), "the crafting helper itself makes valid artifacts");
        }
    }

    @Test
    void manifestSchemaIsStrict() throws IOException {
        assertContains(refused(Craft.replace(bytes, "axc.bundle/1", "axc.bundle/9")),
                "manifest.json: format 'axc.bundle/9' is not supported (this axc reads axc.bundle/1)");
        assertContains(refused(Craft.replace(bytes, "\"seed\":", "\"sead\":")), "manifest.json: field \"seed\" is missing");
        assertContains(refused(Craft.replace(bytes, "\"seed\": 0", "\"seed\": \"")), "malformed JSON");
        assertContains(refused(Craft.replace(bytes, "\"device\": {}", "\"device\": []")), "field \"device\" must be an object");
        assertContains(refused(Craft.replace(bytes, "\"offset\"", "\"offsex\"")), "field \"entries[0].offset\" is missing");
    }

    @Test
    void otherArchivesAreRefused() throws IOException {
        byte[] plain = Craft.tar(List.of(Map.entry("config.json", new byte[10])));
        assertContains(refused(plain), "first entry is 'config.json', not manifest.json: not an axc artifact");
        byte[] link = bytes.clone();
        long h = entry("tokenizer.json").offset() - 512;
        link[(int) h + Tar.TYPEFLAG] = '2';
        byte[] header = Arrays.copyOfRange(link, (int) h, (int) h + 512);
        TarTest.fixChecksum(header);
        System.arraycopy(header, 0, link, (int) h, 512);
        assertContains(refused(link), "entry 'tokenizer.json' has type '2'; only regular files are allowed");
    }
}
