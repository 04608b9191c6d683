package axc.formats.tokenizer;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.convert.GgufTokenizerMetadata;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufValueType;
import axc.formats.gguf.GgufWriter;
import axc.formats.hf.HfVocabulary;
import axc.formats.hf.ModelConfig;
import axc.formats.hf.TokenizerFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer read back out of GGUF metadata: from a GGUF axc's converter writes for the Qwen2.5
 * tokenizer (padded to 151936 rows, as Qwen2.5-0.5B's embedding is), and from llama.cpp's own GPT-2
 * vocab-only GGUF, each against ids Hugging Face produced.
 */
class GgufTokenizerTest {
    @TempDir
    static Path dir;
    static Path qwenGguf;
    static Map<String, GgufValue> qwenMeta;

    @BeforeAll
    static void writeQwenGguf() throws IOException, URISyntaxException {
        Path config = Path.of(GgufTokenizerTest.class.getResource("/configs/Qwen2.5-0.5B-Instruct/config.json").toURI());
        ModelConfig cfg = ModelConfig.read(config);
        HfVocabulary v = HfVocabulary.read(TokenizerFiles.scan(TokenizerFixtures.path("qwen2")), cfg);
        qwenMeta = GgufTokenizerMetadata.of(v, cfg.vocabSize(), GgufTokenizerMetadata.preTokenizer(v));
        qwenGguf = dir.resolve("qwen2.gguf");
        GgufWriter.write(qwenGguf, qwenMeta, List.of());
    }

    @TestFactory
    Stream<DynamicTest> qwenGgufMatchesTheHfFilesOnLlamaCppVectors() {
        Tokenizer hfFiles = TokenizerFixtures.qwen2();
        Tokenizer gguf = Tokenizer.load(qwenGguf);
        List<TokenizerFixtures.VocabCase> cases = TokenizerFixtures.llamaCppCases(
                "qwen2/llamacpp/ggml-vocab-qwen2.gguf.inp", "qwen2/llamacpp/ggml-vocab-qwen2.gguf.out");
        assertEquals(46, cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            assertArrayEquals(c.ids(), gguf.encode(c.text()), c.toString());
            assertArrayEquals(hfFiles.encode(c.text()), gguf.encode(c.text()), c.toString());
            assertEquals(hfFiles.decode(c.ids()), gguf.decode(c.ids()));
        }));
    }

    @Test
    void qwenGgufHasTheSameTokensAndSpecialIds() {
        Tokenizer hfFiles = TokenizerFixtures.qwen2();
        Tokenizer gguf = Tokenizer.load(qwenGguf);
        assertEquals(151665, gguf.vocabSize()); // the 271 [PADn] rows are not tokens
        for (int id = 0; id < hfFiles.vocabSize(); id++) {
            assertEquals(hfFiles.piece(id), gguf.piece(id));
            assertEquals(hfFiles.isSpecial(id), gguf.isSpecial(id), "special flag of " + id);
        }
        SpecialTokens want = hfFiles.specialTokens();
        // The converter takes bos_token_id from config.json (151643), as ollama's does; tokenizer_config has none.
        assertEquals(qwenMeta.get("tokenizer.ggml.bos_token_id").asLong(), gguf.specialTokens().bos().getAsInt());
        assertEquals(new SpecialTokens(gguf.specialTokens().bos(), want.eos(), want.pad(), want.imStart(), want.imEnd(), want.endOfText()),
                gguf.specialTokens());
        assertEquals(hfFiles.addedTokens().size(), gguf.addedTokens().size());
        assertEquals(hfFiles.chatTemplate(), gguf.chatTemplate());
        assertEquals(PreTokenizer.QWEN2, gguf.preTokenizer());
        assertEquals(Normalization.NFC, gguf.normalization());
        // Padding rows are neither added tokens nor vocabulary: "[PAD0]" is plain text.
        assertArrayEquals(hfFiles.encode("x[PAD0] [PAD270]"), gguf.encode("x[PAD0] [PAD270]"));
        assertArrayEquals(new int[] {151644, 872, 198}, gguf.encode("<|im_start|>user\n"));
    }

    @TestFactory
    Stream<DynamicTest> llamaCppGpt2GgufReproducesItsVectors() {
        Path file = TokenizerFixtures.path("gpt-2/ggml-vocab-gpt-2.gguf");
        Tokenizer tok;
        try (GgufFile g = GgufFile.open(file)) {
            tok = Tokenizer.fromGguf(g);
        }
        assertEquals(50257, tok.vocabSize());
        assertEquals(PreTokenizer.GPT2, tok.preTokenizer());
        assertEquals(Normalization.NONE, tok.normalization());
        assertEquals(50256, tok.specialTokens().eos().getAsInt());
        assertEquals(50256, tok.specialTokens().bos().getAsInt());
        assertTrue(tok.isSpecial(50256));
        List<TokenizerFixtures.VocabCase> cases = TokenizerFixtures.llamaCppCases(
                "gpt-2/ggml-vocab-gpt-2.gguf.inp", "gpt-2/ggml-vocab-gpt-2.gguf.out");
        assertEquals(46, cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            assertArrayEquals(c.ids(), tok.encode(c.text()), c.toString());
            assertEquals(c.text(), tok.decode(c.ids()));
        }));
    }

    // --- refusals, on a small byte-level vocabulary: 256 byte tokens, "Ġt", "Ġth", "<|end|>" ---

    private static Map<String, GgufValue> tiny() {
        List<String> tokens = new ArrayList<>();
        List<Long> types = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        tokens.addAll(List.of("Ġt", "Ġth", "<|end|>", "<tool>", "[PAD0]"));
        for (int i = 0; i < tokens.size(); i++) {
            types.add(i < 258 ? 1L : i == 258 ? 3L : 4L);
            scores.add(i < 260 ? (double) i : -1.0);
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("qwen2"));
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.string("qwen2"));
        m.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, tokens));
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types));
        m.put("tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores));
        m.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, List.of("Ġ t", "Ġt h")));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.u32(258));
        return m;
    }

    private static Path write(String name, Map<String, GgufValue> meta) throws IOException {
        Path p = dir.resolve(name);
        GgufWriter.write(p, meta, List.of());
        return p;
    }

    @Test
    void tinyVocabularyReads() throws IOException {
        Tokenizer tok = Tokenizer.load(write("tiny.gguf", tiny()));
        assertEquals(260, tok.vocabSize());
        assertArrayEquals(new int[] {257, 'e'}, tok.encode(" the")); // byte tokens sit at their byte's id here
        assertArrayEquals(new int[] {258, 259, 'x'}, tok.encode("<|end|><tool>x"));
        assertArrayEquals(tok.encode("[PAD0]"), tok.encodeOrdinary("[PAD0]"));
        assertTrue(tok.isSpecial(258));
        assertFalse(tok.isSpecial(259));
        assertEquals(258, tok.specialTokens().eos().getAsInt());
        assertEquals(java.util.Optional.empty(), tok.chatTemplate());
    }

    @Test
    void otherTokenizerModelsAreRefusedByKey() throws IOException {
        Map<String, GgufValue> m = tiny();
        m.put("tokenizer.ggml.model", GgufValue.string("llama"));
        Path p = write("llama.gguf", m);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model") && e.getMessage().contains("llama"), e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void unknownPreTokenizerIsRefusedByKey() throws IOException {
        Map<String, GgufValue> m = tiny();
        m.put("tokenizer.ggml.pre", GgufValue.string("llama-bpe"));
        Path p = write("llama-bpe.gguf", m);
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre") && e.getMessage().contains("llama-bpe"), e.getMessage());
    }

    @Test
    void tokenTypeLengthMismatchIsInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        List<?> types = m.get("tokenizer.ggml.token_type").list();
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types.subList(0, types.size() - 1)));
        Path p = write("short-types.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("tokenizer.ggml.token_type"), e.getMessage());
    }

    @Test
    void unknownTokenTypeIsInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        List<Object> types = new ArrayList<>(m.get("tokenizer.ggml.token_type").list());
        types.set(257, 1L << 40);
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT64, types));
        Path p = write("bad-type.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("tokenizer.ggml.token_type[257]"), e.getMessage());
    }

    @Test
    void mergeOfUnknownTokensIsInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        m.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, List.of("Ġ t", "Ġt hx")));
        Path p = write("bad-merge.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("hx"), e.getMessage());
    }

    @Test
    void malformedMergeStringIsInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        m.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, List.of("Ġt")));
        Path p = write("merge-no-space.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("tokenizer.ggml.merges[0]"), e.getMessage());
    }

    @Test
    void specialIdOutOfRangeIsInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        m.put("tokenizer.ggml.bos_token_id", GgufValue.u32(9999));
        Path p = write("bad-bos.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("tokenizer.ggml.bos_token_id"), e.getMessage());
    }

    @Test
    void duplicateTokensAreInvalid() throws IOException {
        Map<String, GgufValue> m = tiny();
        List<Object> tokens = new ArrayList<>(m.get("tokenizer.ggml.tokens").list());
        tokens.set(257, "Ġt");
        m.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, tokens));
        Path p = write("dup.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("256 and 257"), e.getMessage());
    }

    @Test
    void fileWithoutTokenizerIsInvalid() throws IOException {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("qwen2"));
        Path p = write("no-tokenizer.gguf", m);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Tokenizer.load(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("tokenizer.ggml.model"), e.getMessage());
    }
}
