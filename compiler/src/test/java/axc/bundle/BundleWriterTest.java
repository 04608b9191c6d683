package axc.bundle;

import axc.AxcVersion;
import axc.formats.io.Sha256;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundleWriterTest {
    @TempDir
    Path dir;

    @Test
    void manifestComesFirstAndEveryEntryStartsOnABlock() throws IOException {
        Map<String, byte[]> entries = Fixtures.sample();
        Path out = dir.resolve("model.axc");
        Manifest m = Fixtures.writerWith(entries).finish(out);
        byte[] file = Files.readAllBytes(out);

        assertEquals(new Tar.Header(Manifest.NAME, m.toJson().length), Tar.decode(Arrays.copyOf(file, 512)));
        assertArrayEquals(m.toJson(), Arrays.copyOfRange(file, 512, 512 + m.toJson().length));
        assertEquals(List.copyOf(entries.keySet()), m.entries().stream().map(Manifest.Entry::name).toList());
        for (Manifest.Entry e : m.entries()) {
            assertEquals(0, e.offset() % 512, e.name());
            byte[] want = entries.get(e.name());
            assertEquals(want.length, e.size());
            assertArrayEquals(want, Arrays.copyOfRange(file, (int) e.offset(), (int) e.offset() + want.length), e.name());
            assertEquals(Sha256.of(want), e.sha256(), e.name());
            assertEquals(new Tar.Header(e.name(), e.size()),
                    Tar.decode(Arrays.copyOfRange(file, (int) e.offset() - 512, (int) e.offset())));
        }
        assertEquals(BundleWriter.endOfData(m) + 1024, file.length, "two zero blocks end the archive, nothing after");
        for (int i = (int) BundleWriter.endOfData(m); i < file.length; i++) assertEquals(0, file[i]);
    }

    @Test
    void sameEntriesInAnyOrderGiveIdenticalBytes() throws IOException {
        Map<String, byte[]> entries = Fixtures.sample();
        Fixtures.writerWith(entries).finish(dir.resolve("a.axc"));
        List<String> names = new ArrayList<>(entries.keySet());
        Collections.shuffle(names, new Random(7));
        BundleWriter w = Fixtures.writer();
        for (String n : names) w.add(n, entries.get(n));
        w.finish(dir.resolve("b.axc"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.axc")), Files.readAllBytes(dir.resolve("b.axc")));
    }

    @Test
    void metadataIsRecordedCanonically() {
        ObjectNode device = JsonNodeFactory.instance.objectNode();
        device.put("threads", 8).put("isa", "avx512").putObject("cache").put("l2", 2048).put("l1", 48);
        ObjectNode recipe = JsonNodeFactory.instance.objectNode().put("base", "q4_k_m").put("alpha", 0.5);
        Manifest m = Fixtures.writer().target("npu", "2.1").device(device).recipe(recipe).seed(-42)
                .passes(List.of("FuseQkv", "PlanMemory"))
                .source("model.safetensors", "ab".repeat(32)).source("tokenizer.json", "cd".repeat(32))
                .add("config.json", new byte[3]).finish(dir.resolve("m.axc"));
        assertEquals(Manifest.FORMAT, m.format());
        assertEquals(AxcVersion.version(), m.axcVersion());
        assertEquals("npu", m.target());
        assertEquals("2.1", m.targetApiVersion());
        assertEquals(device, m.device());
        assertEquals(recipe, m.recipe());
        assertEquals(-42, m.seed());
        assertEquals(List.of("FuseQkv", "PlanMemory"), m.passes());
        assertEquals(List.of("model.safetensors", "tokenizer.json"), List.copyOf(m.sources().keySet()));
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"device\": {\"cache\":{\"l1\":48,\"l2\":2048},\"isa\":\"avx512\",\"threads\":8}"), json);
        assertEquals(m, Manifest.parse(m.toJson(), dir.resolve("m.axc")), "manifest JSON round trip");
    }

    @Test
    void noRecipeIsJsonNull() {
        Manifest m = Fixtures.writer().finish(dir.resolve("m.axc"));
        assertNull(m.recipe());
        assertTrue(new String(m.toJson(), StandardCharsets.UTF_8).contains("\"recipe\": null"));
        assertEquals(List.of(), m.entries());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../b", "a/..", "/abs", "/", "a\\b", "a//b", "a/", "./a", "a/./b", "", "a b",
            "caf\u00e9", "tab\there", "manifest.json",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void badNamesAreRefused(String name) {
        BundleWriter w = Fixtures.writer();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.add(name, new byte[1]));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void nameProblemsAreSpecific() {
        assertTrue(EntryName.problem("../x").contains("'..' segment"));
        assertTrue(EntryName.problem("/etc/passwd").contains("absolute"));
        assertTrue(EntryName.problem("a\\b").contains("backslash"));
        assertTrue(EntryName.problem("a//b").contains("empty path segment"));
        assertTrue(EntryName.problem("d".repeat(156) + "/f").contains("does not fit"));
        assertNull(EntryName.problem("d".repeat(155) + "/" + "f".repeat(100)));
        assertNull(EntryName.problem("weights/model.layers.10.self_attn.q_proj.weight"));
    }

    @Test
    void duplicatesAndFileFolderClashesAreRefused() {
        BundleWriter w = Fixtures.writer().add("a", new byte[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.add("a", new byte[2]));
        assertTrue(e.getMessage().contains("duplicate entry 'a'"), e.getMessage());
        BundleWriter clash = Fixtures.writer().add("w", new byte[1]).add("w-x", new byte[1]).add("w/b", new byte[1]);
        e = assertThrows(IllegalArgumentException.class, () -> clash.finish(dir.resolve("c.axc")));
        assertTrue(e.getMessage().contains("'w' is also the folder of entry 'w/b'"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("c.axc")));
    }

    @Test
    void aPayloadOfTheWrongSizeLeavesThePreviousFileIntact() throws IOException {
        Path out = dir.resolve("m.axc");
        Fixtures.writerWith(Fixtures.sample()).finish(out);
        byte[] before = Files.readAllBytes(out);
        BundleWriter shortOne = Fixtures.writer().add("w", 10, ch -> ch.write(ByteBuffer.allocate(9)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> shortOne.finish(out));
        assertTrue(e.getMessage().contains("entry 'w': payload wrote 9 bytes, declared 10"), e.getMessage());
        BundleWriter longOne = Fixtures.writer().add("w", 10, ch -> ch.write(ByteBuffer.allocate(11)));
        e = assertThrows(IllegalStateException.class, () -> longOne.finish(out));
        assertTrue(e.getMessage().contains("more than its declared 10 bytes"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temp file left behind");
        }
    }

    @Test
    void aWriterIsUsedOnceAndNeedsATarget() {
        BundleWriter w = Fixtures.writer();
        w.finish(dir.resolve("a.axc"));
        assertThrows(IllegalStateException.class, () -> w.add("x", new byte[1]));
        assertThrows(IllegalStateException.class, () -> w.finish(dir.resolve("b.axc")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new BundleWriter().finish(dir.resolve("c.axc")));
        assertTrue(e.getMessage().contains("target not set"));
    }

    @Test
    void addedBytesAreCopied() {
        byte[] b = {1, 2, 3};
        BundleWriter w = Fixtures.writer().add("x", b);
        b[0] = 9;
        Manifest m = w.finish(dir.resolve("m.axc"));
        assertEquals(Sha256.of(new byte[] {1, 2, 3}), m.entry("x").orElseThrow().sha256());
    }

    @Test
    void manyEntriesSettleTheManifestLength() throws IOException {
        BundleWriter w = Fixtures.writer();
        for (int i = 0; i < 300; i++) w.add(String.format("weights/t%04d", i), Fixtures.random(i, i % 7 == 0 ? 0 : 100 + i));
        Manifest m = w.finish(dir.resolve("m.axc"));
        assertEquals(Tar.BLOCK + Tar.padded(m.toJson().length) + Tar.BLOCK, m.entries().getFirst().offset());
        try (Bundle b = Bundle.open(dir.resolve("m.axc"), VerificationCache.none())) {
            assertEquals(m, b.manifest());
            assertEquals(Bundle.Verification.HASHED, b.verify());
        }
    }
}
