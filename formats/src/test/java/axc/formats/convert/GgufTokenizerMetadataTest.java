package axc.formats.convert;

import axc.formats.gguf.GgufValue;
import axc.formats.hf.HfVocabulary;
import axc.formats.hf.ModelConfig;
import axc.formats.hf.TokenizerFiles;
import axc.formats.io.Sha256;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tokenizer arrays axc embeds in a Qwen2.5 GGUF hash to the values ollama's converter test expects
 * for Qwen/Qwen2.5-0.5B-Instruct (an outside implementation's output, not ours).
 */
class GgufTokenizerMetadataTest {
    static Map<String, GgufValue> meta;
    static JsonNode expected;

    static Path res(String p) {
        try {
            return Path.of(GgufTokenizerMetadataTest.class.getResource(p).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void build() {
        Path dir = res("/tokenizer/qwen2");
        ModelConfig cfg = ModelConfig.read(res("/configs/Qwen2.5-0.5B-Instruct/config.json"));
        HfVocabulary v = HfVocabulary.read(TokenizerFiles.scan(dir), cfg);
        meta = GgufTokenizerMetadata.of(v, cfg.vocabSize(), GgufTokenizerMetadata.preTokenizer(v));
        expected = Json.read(res("/reference/ollama-Qwen2.5-0.5B-Instruct.json"));
    }

    private static void assertHash(String key) {
        String json = GoJson.marshal(meta.get(key).list());
        assertEquals(expected.get(key).asText(), Sha256.of(json.getBytes(StandardCharsets.UTF_8)), key);
    }

    @Test
    void tokensMatchOllama() {
        assertEquals(151936, meta.get("tokenizer.ggml.tokens").list().size());
        assertHash("tokenizer.ggml.tokens");
    }

    @Test
    void mergesMatchOllama() {
        assertHash("tokenizer.ggml.merges");
    }

    @Test
    void tokenTypesMatchOllama() {
        assertHash("tokenizer.ggml.token_type");
    }

    @Test
    void scoresMatchOllama() {
        assertHash("tokenizer.ggml.scores");
    }

    @Test
    void scalarsMatchOllama() {
        assertEquals(expected.get("tokenizer.ggml.model").asText(), meta.get("tokenizer.ggml.model").asString());
        assertEquals(expected.get("tokenizer.ggml.pre").asText(), meta.get("tokenizer.ggml.pre").asString());
        assertEquals(expected.get("tokenizer.ggml.eos_token_id").asText(), String.valueOf(meta.get("tokenizer.ggml.eos_token_id").asLong()));
        assertEquals(expected.get("tokenizer.ggml.padding_token_id").asText(), String.valueOf(meta.get("tokenizer.ggml.padding_token_id").asLong()));
        assertEquals(expected.get("tokenizer.ggml.add_eos_token").asText(), String.valueOf(meta.get("tokenizer.ggml.add_eos_token").value()));
    }
}
