package axc.formats.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * axc-tiny-py ships the same 32k vocabulary twice, as tokenizer.json and as vocab.json + merges.txt;
 * both must give the ids its reference prompts were tokenized to by Hugging Face tokenizers.
 */
class TinyTokenizerTest {
    private static final Path DIR = TokenizerFixtures.path("axc-tiny-py");

    @Test
    void bothFormsGiveTheReferenceIds() {
        Tokenizer fromJson = Tokenizer.load(DIR); // tokenizer.json is preferred when present
        TokenizerConfig config = TokenizerConfig.read(axc.formats.hf.TokenizerFiles.scan(DIR));
        Tokenizer fromVocab = TokenizerLoader.fromVocabAndMerges(DIR.resolve("vocab.json"), DIR.resolve("merges.txt"), config);
        JsonNode prompts = TokenizerFixtures.json("axc-tiny-py/reference-input-ids.json").get("prompts");
        assertEquals(4, prompts.size());
        for (JsonNode p : prompts) {
            int[] expected = TokenizerFixtures.ints(p.get("input_ids"));
            String prompt = p.get("prompt").asText();
            assertArrayEquals(expected, fromJson.encode(prompt), p.get("name").asText());
            assertArrayEquals(expected, fromVocab.encode(prompt), p.get("name").asText());
            assertEquals(prompt, fromJson.decode(expected));
        }
        assertEquals(32003, fromJson.vocabSize());
        assertEquals(32003, fromVocab.vocabSize());
        assertEquals(32002, fromJson.specialTokens().eos().getAsInt());
        assertEquals(fromJson.chatTemplate(), fromVocab.chatTemplate());
    }

    @Test
    void agreesWithTheFullVocabularyBelowItsCut() {
        Tokenizer tiny = Tokenizer.load(DIR);
        Tokenizer full = TokenizerFixtures.qwen2();
        for (TokenizerFixtures.VocabCase c : TokenizerFixtures.llamaCppCases(
                "qwen2/llamacpp/ggml-vocab-qwen2.gguf.inp", "qwen2/llamacpp/ggml-vocab-qwen2.gguf.out")) {
            int[] ids = full.encode(c.text());
            if (java.util.Arrays.stream(ids).allMatch(id -> id < 32000)) assertArrayEquals(ids, tiny.encode(c.text()), c.toString());
        }
    }
}
