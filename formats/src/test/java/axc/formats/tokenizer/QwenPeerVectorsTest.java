package axc.formats.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Qwen2 vocabulary against ids other implementations produced: llama.cpp's test vectors (made by
 * Hugging Face transformers), transformers.js's Qwen2 tests and transformers' own integration tests.
 */
class QwenPeerVectorsTest {
    @TestFactory
    Stream<DynamicTest> llamaCppVectors() {
        Tokenizer tok = TokenizerFixtures.qwen2();
        List<TokenizerFixtures.VocabCase> cases = TokenizerFixtures.llamaCppCases(
                "qwen2/llamacpp/ggml-vocab-qwen2.gguf.inp", "qwen2/llamacpp/ggml-vocab-qwen2.gguf.out");
        assertEquals(46, cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            assertArrayEquals(c.ids(), tok.encode(c.text()), c.toString());
            assertEquals(java.text.Normalizer.normalize(c.text(), java.text.Normalizer.Form.NFC), tok.decode(c.ids()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> transformersJsCases() {
        Tokenizer tok = TokenizerFixtures.qwen2();
        JsonNode cases = TokenizerFixtures.json("qwen2/peer-vectors/transformersjs_qwen2_cases.json").get("cases");
        assertEquals(25, cases.size());
        return StreamSupport.stream(cases.spliterator(), false).map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            int[] ids = tok.encode(c.get("text").asText());
            assertArrayEquals(TokenizerFixtures.ints(c.get("ids")), ids);
            String[] pieces = Arrays.stream(ids).mapToObj(tok::piece).toArray(String[]::new);
            String[] expected = StreamSupport.stream(c.get("tokens").spliterator(), false).map(JsonNode::asText).toArray(String[]::new);
            assertArrayEquals(expected, pieces);
            assertEquals(c.get("decoded").asText(), tok.decode(ids));
        }));
    }

    @TestFactory
    Stream<DynamicTest> transformersIntegrationCases() {
        Tokenizer tok = TokenizerFixtures.qwen2();
        JsonNode cases = TokenizerFixtures.json("qwen2/peer-vectors/hf_transformers_qwen2_integration.json").get("cases");
        assertEquals(3, cases.size());
        return StreamSupport.stream(cases.spliterator(), false).map(c -> DynamicTest.dynamicTest(
                c.get("text").asText().substring(0, 20), () -> {
                    int[] expected = TokenizerFixtures.ints(c.get("ids"));
                    assertArrayEquals(expected, tok.encode(c.get("text").asText()));
                    assertEquals(c.get("text").asText(), tok.decode(expected));
                }));
    }

    @Test
    void chatMlControlTokensAreSplitOut() {
        // alibaba/rtp-llm's check, also recorded in the shared fixture provenance.
        assertArrayEquals(new int[] {151644, 14990, 151645}, TokenizerFixtures.qwen2().encode("<|im_start|>hello<|im_end|>"));
    }

    @Test
    void specialTokenIds() {
        Tokenizer tok = TokenizerFixtures.qwen2();
        SpecialTokens s = tok.specialTokens();
        assertEquals(151644, s.imStart().getAsInt());
        assertEquals(151645, s.imEnd().getAsInt());
        assertEquals(151643, s.endOfText().getAsInt());
        assertEquals(151645, s.eos().getAsInt());
        assertEquals(151643, s.pad().getAsInt());
        assertEquals(true, s.bos().isEmpty());
        assertEquals(151665, tok.vocabSize());
        assertEquals(true, tok.isSpecial(151644));
        assertEquals(false, tok.isSpecial(151657)); // <tool_call> is a plain added token
        assertArrayEquals(new int[] {151657}, tok.encode("<tool_call>"));
        assertEquals("Ġthe", tok.piece(279));
        assertEquals(PreTokenizer.QWEN2, tok.preTokenizer());
        assertEquals(Normalization.NFC, tok.normalization());
    }
}
