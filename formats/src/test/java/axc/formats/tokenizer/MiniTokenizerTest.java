package axc.formats.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The 270-token Qwen2-style vocabulary of transformers' Qwen2 tokenizer tests, with their expectations. */
class MiniTokenizerTest {
    private static final String DIR = "qwen2/peer-vectors/hf-transformers-mini/";

    private static Tokenizer mini(AddedToken... extra) {
        List<AddedToken> added = new ArrayList<>(List.of(new AddedToken(270, "<|endoftext|>", true)));
        added.addAll(List.of(extra));
        TokenizerConfig config = new TokenizerConfig("Qwen2Tokenizer", null, "<|endoftext|>", null, null, added, Set.of());
        return TokenizerLoader.fromVocabAndMerges(TokenizerFixtures.path(DIR + "vocab.json"), TokenizerFixtures.path(DIR + "merges.txt"), config);
    }

    private static JsonNode testCase(String name) {
        for (JsonNode c : TokenizerFixtures.json(DIR + "cases.json").get("cases")) {
            if (c.get("name").asText().equals(name)) return c;
        }
        throw new AssertionError("no case " + name);
    }

    @Test
    void fullTokenizer() {
        JsonNode c = testCase("test_python_full_tokenizer");
        Tokenizer tok = mini();
        int[] ids = tok.encode(c.get("text").asText());
        assertArrayEquals(TokenizerFixtures.ints(c.get("expected_ids")), ids);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(tok.piece(id));
        List<String> expected = new ArrayList<>();
        c.get("expected_tokens").forEach(t -> expected.add(t.asText()));
        assertEquals(expected, pieces);
    }

    @Test
    void numberSign() {
        JsonNode c = testCase("test_slow_tokenizer_token_with_number_sign");
        assertArrayEquals(TokenizerFixtures.ints(c.get("expected_ids")), mini().encode(c.get("text").asText()));
    }

    @Test
    void nfcNormalization() {
        JsonNode c = testCase("test_nfc_normalization");
        Tokenizer tok = mini();
        String normalized = c.get("expected_normalized").asText();
        assertEquals(normalized, tok.decode(tok.encode(c.get("text").asText())));
        assertArrayEquals(tok.encode(normalized), tok.encode(c.get("text").asText()));
    }

    @Test
    void decodeKeepsSpecialTokensWithoutSpaces() {
        JsonNode c = testCase("decode_spaces_between_special_tokens_default");
        Tokenizer tok = mini(new AddedToken(271, "<|im_start|>", true));
        assertEquals(c.get("expected_decode").asText(), tok.decode(TokenizerFixtures.ints(c.get("ids"))));
        assertEquals(" lower;", tok.decode(TokenizerFixtures.ints(c.get("ids")), true));
    }
}
