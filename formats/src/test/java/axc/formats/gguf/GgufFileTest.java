package axc.formats.gguf;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.io.SegmentIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(GgufFileTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsLlamaCppTinyQwen2() {
        try (GgufFile f = GgufFile.open(fixture("tiny-Q4_K.gguf"))) {
            assertEquals(3, f.version());
            assertEquals("qwen2", f.architecture());
            assertEquals(256, f.meta("qwen2.embedding_length").orElseThrow().asLong());
            GgufTensorInfo emb = f.ggufTensor("token_embd.weight");
            assertArrayEquals(new long[]{256, 512}, emb.ne());
            assertArrayEquals(new long[]{512, 256}, emb.info().shape());
            assertEquals(DType.F32, f.ggufTensor("output_norm.weight").dtype());
            assertTrue(f.ggufTensors().stream().anyMatch(t -> t.dtype() == DType.Q4_K));
        }
    }

    @Test
    void readsEveryMetadataTypeOfAVocabFile() {
        try (GgufFile f = GgufFile.open(fixture("llama-2-tiny-random.gguf"))) {
            GgufValue tokens = f.meta("tokenizer.ggml.tokens").orElseThrow();
            assertEquals(GgufValueType.STRING, tokens.elementType());
            assertEquals(32000, tokens.list().size());
            assertEquals(GgufValueType.FLOAT32, f.meta("tokenizer.ggml.scores").orElseThrow().elementType());
        }
    }

    /**
     * Opened for its tensors alone, a vocabulary file gives the same tensors at the same bytes and the
     * same scalar metadata, with its arrays stepped over; a string array cut short is still refused.
     */
    @Test
    void tensorsOnlyStepsOverArraysAndKeepsTheirBounds() throws IOException {
        Path file = fixture("llama-2-tiny-random.gguf");
        try (GgufFile full = GgufFile.open(file); GgufFile lean = GgufFile.openTensorsOnly(file)) {
            java.util.function.Function<GgufTensorInfo, String> id = t -> t.name() + " " + t.dtype() + " " + java.util.Arrays.toString(t.ne())
                    + " @" + t.offset() + "+" + t.byteSize();
            assertEquals(full.ggufTensors().stream().map(id).toList(), lean.ggufTensors().stream().map(id).toList());
            for (GgufTensorInfo t : full.ggufTensors()) assertEquals(-1, full.data(t.name()).mismatch(lean.data(t.name())), t.name());
            assertTrue(lean.meta("tokenizer.ggml.tokens").isEmpty());
            assertTrue(lean.meta("tokenizer.ggml.scores").isEmpty());
            int scalars = 0;
            for (var e : full.metadata().entrySet()) {
                if (e.getValue().isArray()) continue;
                assertEquals(e.getValue(), lean.metadata().get(e.getKey()), e.getKey());
                scalars++;
            }
            assertEquals(scalars, lean.metadata().size());
        }
        byte[] bytes = Files.readAllBytes(file);
        List<Integer> at = occurrences(bytes, "tokenizer.ggml.tokens".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int firstLength = at.get(0) + "tokenizer.ggml.tokens".length() + 4 + 4 + 8;   // type, element type, count
        byte[] bad = bytes.clone();
        for (int i = 0; i < 8; i++) bad[firstLength + i] = (byte) (i == 7 ? 0x00 : 0x7f);   // a first token of ~2^55 bytes
        Path f = Files.createTempFile(tmp, "bad", ".gguf");
        Files.write(f, bad);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufFile.openTensorsOnly(f).close());
        assertTrue(e.getMessage().contains("metadata 'tokenizer.ggml.tokens'"), e.getMessage());
    }

    /** Rewriting a file llama.cpp wrote gives the same bytes: header layout, alignment and padding agree. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-f32.gguf", "tiny-Q4_K.gguf", "tiny-Q8_0.gguf", "llama-2-tiny-random.gguf"})
    void rewriteIsByteIdenticalToLlamaCpp(String name) throws IOException {
        Path out = tmp.resolve(name);
        try (GgufFile f = GgufFile.open(fixture(name))) {
            List<GgufWriter.Entry> entries = new ArrayList<>();
            for (GgufTensorInfo t : f.ggufTensors()) {
                entries.add(new GgufWriter.Entry(t.name(), t.dtype(), t.ne(), ch -> SegmentIo.write(ch, f.data(t.name()))));
            }
            GgufWriter.write(out, f.metadata(), entries);
        }
        assertArrayEquals(Files.readAllBytes(fixture(name)), Files.readAllBytes(out));
    }

    @Test
    void hostileHeadersAreRefusedWithOneLine() throws IOException {
        byte[] good = Files.readAllBytes(fixture("tiny-Q8_0.gguf"));
        expect(java.util.Arrays.copyOf(good, 4000), "runs past the end of the file");
        expect(java.util.Arrays.copyOf(good, 30), "cannot fit");
        byte[] bad = good.clone();
        bad[0] = 'X';
        expect(bad, "bad magic");
        byte[] count = good.clone();
        for (int i = 8; i < 16; i++) count[i] = (byte) 0x7f; // absurd tensor count
        expect(count, "cannot fit");
        byte[] version = good.clone();
        version[4] = 9;
        expect(version, "version 9");
    }

    /**
     * Strings are strict UTF-8: a malformed one is refused, naming its key, while a string that holds
     * U+FFFD itself (what a lenient decoder would put in place of malformed bytes) reads back intact.
     */
    @Test
    void metadataStringsAreStrictUtf8() throws IOException {
        Path ok = tmp.resolve("ok.gguf");
        String text = "caf\u00e9 \uFFFD \ud55c\uad6d\uc5b4";
        java.util.Map<String, GgufValue> meta = new java.util.LinkedHashMap<>();
        meta.put("general.architecture", GgufValue.string("qwen2"));
        meta.put("test.text", GgufValue.string(text));
        meta.put("test.tokens", GgufValue.array(GgufValueType.STRING, List.of("plain", "\u0120the", text)));
        GgufWriter.write(ok, meta, List.of());
        try (GgufFile f = GgufFile.open(ok)) {
            assertEquals(text, f.meta("test.text").orElseThrow().asString());
            assertEquals(List.of("plain", "\u0120the", text), f.meta("test.tokens").orElseThrow().list());
        }
        byte[] bytes = Files.readAllBytes(ok);
        List<Integer> at = occurrences(bytes, "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(2, at.size());
        byte[] bad = bytes.clone();
        bad[at.get(0) + 4] = 0x28; // C3 28: a lead byte without its continuation
        expect(bad, "metadata 'test.text' at byte");
        bad = bytes.clone();
        bad[at.get(1) + 4] = 0x28;
        expect(bad, "metadata 'test.tokens' at byte");
        expect(bad, "is not valid UTF-8");
    }

    /** Where {@code needle} starts in {@code hay}, every time. */
    private static List<Integer> occurrences(byte[] hay, byte[] needle) {
        List<Integer> at = new ArrayList<>();
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            at.add(i);
        }
        return at;
    }

    private void expect(byte[] bytes, String fragment) throws IOException {
        Path f = Files.createTempFile(tmp, "bad", ".gguf");
        Files.write(f, bytes);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> GgufFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
