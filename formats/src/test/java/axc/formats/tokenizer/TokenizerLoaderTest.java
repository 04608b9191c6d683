package axc.formats.tokenizer;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which pre-tokenizer each file set gets, and the one-line errors bad files produce. */
class TokenizerLoaderTest {
    @TempDir
    Path dir;

    private static final String MINI = "qwen2/peer-vectors/hf-transformers-mini/";

    private void miniFiles(String tokenizerClass) throws IOException {
        Files.copy(TokenizerFixtures.path(MINI + "vocab.json"), dir.resolve("vocab.json"));
        Files.copy(TokenizerFixtures.path(MINI + "merges.txt"), dir.resolve("merges.txt"));
        if (tokenizerClass != null) {
            Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"" + tokenizerClass + "\"}");
        }
    }

    private String failure(Class<? extends RuntimeException> type) {
        return assertThrows(type, () -> Tokenizer.load(dir)).getMessage();
    }

    @Test
    void tokenizerClassPicksThePreTokenizer() throws IOException {
        miniFiles("GPT2Tokenizer");
        Tokenizer gpt2 = Tokenizer.load(dir);
        assertEquals(PreTokenizer.GPT2, gpt2.preTokenizer());
        assertEquals(Normalization.NONE, gpt2.normalization());
        // GPT-2 keeps digit runs together, Qwen2 splits every digit.
        assertEquals(1, countPieces(PreTokenizer.GPT2, "010"));
        assertEquals(3, countPieces(PreTokenizer.QWEN2, "010"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"Qwen2TokenizerFast\"}");
        assertEquals(PreTokenizer.QWEN2, Tokenizer.load(dir).preTokenizer());
    }

    private static int countPieces(PreTokenizer p, String s) {
        int[] n = {0};
        p.split(s, (a, b) -> n[0]++);
        return n[0];
    }

    @Test
    void mergesWithoutVersionHeader() throws IOException {
        miniFiles(null);
        Tokenizer withHeader = Tokenizer.load(dir);
        String merges = Files.readString(dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("merges.txt"), merges.substring(merges.indexOf('\n') + 1));
        Tokenizer without = Tokenizer.load(dir);
        assertArrayEquals(withHeader.encode("lower lower newer"), without.encode("lower lower newer"));
        assertArrayEquals(new int[] {75, 78, 86, 260, 259, 260}, without.encode("lower lower"));
    }

    @Test
    void unknownTokenizerClassIsRefused() throws IOException {
        miniFiles("LlamaTokenizer");
        assertTrue(failure(UnsupportedFeatureException.class).contains("LlamaTokenizer"));
    }

    @Test
    void mergeOfUnknownToken() throws IOException {
        miniFiles(null);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\nĠ l\nq zz\n");
        String msg = failure(InvalidInputException.class);
        assertTrue(msg.startsWith(dir.resolve("merges.txt").toString()), msg);
        assertTrue(msg.contains("line 3") || msg.contains("merge 2"), msg);
        assertTrue(msg.contains("\"zz\""), msg);
    }

    @Test
    void malformedMergeLine() throws IOException {
        miniFiles(null);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\nĠ l x\n");
        assertTrue(failure(InvalidInputException.class).contains("line 2"));
    }

    @Test
    void nonIntegerId() throws IOException {
        miniFiles(null);
        String vocab = Files.readString(dir.resolve("vocab.json")).replace("\"!\": 0", "\"!\": \"zero\"");
        Files.writeString(dir.resolve("vocab.json"), vocab);
        String msg = failure(InvalidInputException.class);
        assertTrue(msg.startsWith(dir.resolve("vocab.json").toString()) && msg.contains("\"!\""), msg);
    }

    @Test
    void vocabularyWithoutByteTokens() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0}");
        Files.writeString(dir.resolve("merges.txt"), "");
        assertTrue(failure(InvalidInputException.class).contains("byte"));
    }

    @Test
    void missingVocabulary() throws IOException {
        Files.writeString(dir.resolve("merges.txt"), "");
        assertTrue(failure(InvalidInputException.class).contains("no tokenizer"));
    }

    @Test
    void tokenizerJsonProblems() throws IOException {
        String good = Files.readString(TokenizerFixtures.path("axc-tiny-py/tokenizer.json"));
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, replaceOnce(good, "\"type\":\"BPE\"", "\"type\":\"WordPiece\""));
        assertTrue(failure(UnsupportedFeatureException.class).contains("WordPiece"));
        Files.writeString(file, replaceOnce(good, "\"vocab\":{", "\"vocab_\":{"));
        assertTrue(failure(InvalidInputException.class).contains("vocabulary"));
        Files.writeString(file, replaceOnce(good, "\"Ġ Ġ\"", "\"Ġ Ġxyz\""));
        assertTrue(failure(InvalidInputException.class).contains("Ġxyz"));
        Files.writeString(file, good.substring(0, good.length() / 2));
        assertTrue(failure(InvalidInputException.class).contains("malformed JSON"));
    }

    private static String replaceOnce(String s, String from, String to) {
        int i = s.indexOf(from);
        if (i < 0) throw new AssertionError("fixture lacks " + from);
        return s.substring(0, i) + to + s.substring(i + from.length());
    }

    @Test
    void mergesAsPairs() throws IOException {
        // Newer tokenizers write merges as ["a", "b"] pairs; the result must be the same.
        String good = Files.readString(TokenizerFixtures.path("axc-tiny-py/tokenizer.json"));
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) axc.formats.json.Json.MAPPER.readTree(good);
        var merges = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("model").get("merges");
        var pairs = axc.formats.json.Json.MAPPER.createArrayNode();
        for (var m : merges) {
            String[] ab = m.asText().split(" ");
            pairs.add(axc.formats.json.Json.MAPPER.createArrayNode().add(ab[0]).add(ab[1]));
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("model")).set("merges", pairs);
        Files.writeString(dir.resolve("tokenizer.json"), axc.formats.json.Json.MAPPER.writeValueAsString(root));
        String text = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1)";
        assertArrayEquals(Tokenizer.load(TokenizerFixtures.path("axc-tiny-py")).encode(text), Tokenizer.load(dir).encode(text));
    }

    @Test
    void addedTokensJsonWithFlagsFromTheSpecialTokensMap() throws IOException {
        // Older exports carry added_tokens.json (no flags) instead of added_tokens_decoder.
        for (String f : new String[] {"vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json"}) {
            Files.createSymbolicLink(dir.resolve(f), TokenizerFixtures.path("qwen2/" + f));
        }
        Tokenizer tok = Tokenizer.load(dir);
        assertEquals(151665, tok.vocabSize());
        assertTrue(tok.isSpecial(tok.specialTokens().imStart().getAsInt()));
        assertTrue(tok.isSpecial(151643));
        assertEquals(false, tok.isSpecial(tok.tokenId("<tool_call>").getAsInt()));
        assertEquals(151645, tok.specialTokens().eos().getAsInt());
        assertArrayEquals(new int[] {151644, 14990, 151645}, tok.encode("<|im_start|>hello<|im_end|>"));
    }

    @Test
    void transformersFiveConfig() {
        // No added_tokens_decoder, special tokens as an extra_special_tokens list, no chat template.
        TokenizerConfig c = TokenizerConfig.read(axc.formats.hf.TokenizerFiles.scan(
                TokenizerFixtures.path("Qwen2.5-1.5B-Instruct-transformers5")));
        assertEquals("Qwen2Tokenizer", c.tokenizerClass());
        assertEquals("<|im_end|>", c.eos());
        assertEquals("<|endoftext|>", c.pad());
        assertEquals(null, c.bos());
        assertTrue(c.specialNames().contains("<|im_start|>"));
        assertTrue(c.addedTokens().isEmpty());
        assertEquals(null, c.chatTemplate());
    }
}
