package axc.formats.hf;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.json.Json;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {
    static Path fixture(String rel) {
        try {
            return Path.of(ModelConfigTest.class.getResource("/configs/" + rel).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void qwen25HalfBillion() {
        ModelConfig c = ModelConfig.read(fixture("Qwen2.5-0.5B-Instruct/config.json"));
        assertEquals(Family.QWEN2, c.family());
        assertEquals(896, c.hiddenSize());
        assertEquals(24, c.numLayers());
        assertEquals(14, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(4864, c.intermediateSize());
        assertEquals(151936, c.vocabSize());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(1e6, c.ropeTheta());
        assertTrue(c.tieWordEmbeddings());
    }

    @Test
    void transformersFiveSpellings() {
        ModelConfig c = ModelConfig.read(fixture("Qwen2.5-1.5B-Instruct-transformers5/config.json"));
        assertEquals("float16", c.torchDtype()); // from "dtype"
        assertEquals(1e6, c.ropeTheta());         // from rope_parameters.rope_theta
        assertEquals(28, c.numLayers());
        assertEquals(128, c.headDim());
    }

    @Test
    void qwen3WithExplicitHeadDim() {
        ModelConfig c = ModelConfig.read(fixture("Qwen3-4B/config.json"));
        assertEquals(Family.QWEN3, c.family());
        assertEquals(128, c.headDim());
        assertEquals(2560, c.hiddenSize());
        assertTrue(c.qDim() != c.hiddenSize(), "Qwen3-4B has q_dim (4096) != hidden (2560)");
        assertFalse(c.attentionBias());
    }

    @Test
    void editedQwen3ConfigWithoutHeadDimFallsBackToHiddenOverHeads() {
        ModelConfig c = ModelConfig.read(fixture("Qwen3-8B/config.tt-metal-edited.json"));
        assertEquals(128, c.headDim());
        assertEquals(ModelConfig.read(fixture("Qwen3-8B/config.json")).ropeTheta(), c.ropeTheta());
    }

    @Test
    void axLightIsAQwen2WithItsOwnVocabulary() {
        ModelConfig c = ModelConfig.read(fixture("skt-A.X-4.0-Light/config.json"));
        assertEquals(Family.QWEN2, c.family());
        assertEquals(102400, c.vocabSize());
        assertEquals(1e-5, c.rmsNormEps());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(List.of(0), c.eosTokenIds());
    }

    @Test
    void moeIsRefusedNamingTheKey() {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> ModelConfig.read(fixture("Qwen3-30B-A3B/config.json")));
        assertTrue(e.getMessage().contains("'num_experts'"), e.getMessage());
    }

    @Test
    void allRealConfigsParseOrAreRefusedForAReason() {
        for (String f : List.of("Qwen2.5-7B-Instruct", "Qwen2.5-14B", "Qwen2.5-32B-Instruct", "Qwen3-1.7B", "Qwen3-8B")) {
            ModelConfig c = ModelConfig.read(fixture(f + "/config.json"));
            assertEquals(0, c.hiddenSize() % c.numHeads(), f);
        }
    }

    @Test
    void unsupportedFeaturesAreRefusedNotIgnored() {
        String base = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64,\"num_hidden_layers\":1,\"num_attention_heads\":4,"
                + "\"intermediate_size\":128,\"vocab_size\":10,";
        assertKey(base + "\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4}}", "rope_scaling");
        assertKey(base + "\"use_sliding_window\":true}", "use_sliding_window");
        assertKey(base + "\"layer_types\":[\"sliding_attention\"]}", "layer_types[0]");
        assertKey(base + "\"hidden_act\":\"gelu\"}", "hidden_act");
        ModelConfig ok = parse(base + "\"rope_scaling\":null}");
        assertNull(ok.bosTokenId());
    }

    @Test
    void badValuesAreInvalidInput() {
        assertThrows(InvalidInputException.class, () -> parse("{\"architectures\":[\"Qwen2ForCausalLM\"]}"));
        assertThrows(InvalidInputException.class, () -> parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":-1}"));
        assertThrows(InvalidInputException.class, () -> parse("[1,2]"));
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(deep));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    private static void assertKey(String json, String key) {
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> parse(json));
        assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }

    private static ModelConfig parse(String json) {
        return ModelConfig.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8), "config.json"), Path.of("config.json"));
    }
}
