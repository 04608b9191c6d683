package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.hf.Family;
import axc.formats.hf.FamilyDetector;
import axc.formats.hf.ModelConfig;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/** The Hugging Face {@code config.json} a qwen2/qwen3 GGUF describes. */
public final class GgufHfConfig {
    private GgufHfConfig() {
    }

    public static Family family(GgufFile g) {
        return switch (g.architecture()) {
            case "qwen2" -> Family.QWEN2;
            case "qwen3" -> Family.QWEN3;
            default -> throw new UnsupportedFeatureException(g.path() + ": key 'general.architecture': '" + g.architecture() + "' is not a qwen2/qwen3 model");
        };
    }

    public static ObjectNode of(GgufFile g, String torchDtype) {
        Family f = family(g);
        String a = g.architecture();
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.putArray("architectures").add(f.hfArchitecture());
        c.put("model_type", a);
        int hidden = (int) u(g, a + ".embedding_length");
        int heads = (int) u(g, a + ".attention.head_count");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", u(g, a + ".block_count"));
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", g.meta(a + ".attention.head_count_kv").map(GgufValue::asLong).orElse((long) heads));
        c.put("intermediate_size", u(g, a + ".feed_forward_length"));
        g.meta(a + ".attention.key_length").ifPresent(v -> c.put("head_dim", v.asLong()));
        c.put("max_position_embeddings", g.meta(a + ".context_length").map(GgufValue::asLong).orElse(32768L));
        c.put("rms_norm_eps", shortest(g.meta(a + ".attention.layer_norm_rms_epsilon").map(GgufValue::asDouble).orElse(1e-6)));
        c.put("rope_theta", shortest(g.meta(a + ".rope.freq_base").map(GgufValue::asDouble).orElse(10000.0)));
        long vocab = g.ggufTensor("token_embd.weight").ne()[1];
        c.put("vocab_size", vocab);
        c.put("tie_word_embeddings", g.find("output.weight").isEmpty());
        c.put("hidden_act", "silu");
        g.meta("tokenizer.ggml.bos_token_id").ifPresent(v -> c.put("bos_token_id", v.asLong()));
        g.meta("tokenizer.ggml.eos_token_id").ifPresent(v -> c.put("eos_token_id", v.asLong()));
        c.put("torch_dtype", torchDtype);
        c.put("use_sliding_window", false);
        if (f == Family.QWEN3) c.put("attention_bias", false);
        return c;
    }

    /** The model's config, once every tensor is known to have the shape the metadata implies (so no reader indexes past one). */
    public static ModelConfig modelConfig(GgufFile g) {
        ModelConfig c = ModelConfig.parse(of(g, "float32"), g.path());
        c = c.family() == null ? c.withFamily(family(g)) : c;
        FamilyDetector.checkShapes(c, hfView(g), g.path());
        return c;
    }

    /** The GGUF's tensors under their Hugging Face names (shapes are already in Hugging Face order). */
    private static TensorStore hfView(GgufFile g) {
        return new TensorStore() {
            @Override
            public List<TensorInfo> tensors() {
                return g.tensors();
            }

            @Override
            public Optional<TensorInfo> find(String name) {
                return GgufNames.toGguf(name).flatMap(g::find);
            }

            @Override
            public MemorySegment data(String name) {
                return g.data(GgufNames.toGguf(name).orElseThrow());
            }

            @Override
            public List<java.nio.file.Path> files() {
                return g.files();
            }

            @Override
            public void close() {
                // A view: the GGUF file stays open for its owner.
            }
        };
    }

    /** A FLOAT32 metadata value as the shortest decimal that reads back to it (1e-6, not 9.99e-7). */
    private static double shortest(double f32) {
        return Double.parseDouble(Float.toString((float) f32));
    }

    private static long u(GgufFile g, String key) {
        return g.meta(key).map(GgufValue::asLong).orElseThrow(() -> InvalidInputException.of(g.path(), "missing metadata key '" + key + "'"));
    }

    static List<String> strings(GgufFile g, String key) {
        return g.meta(key).map(v -> v.list().stream().map(String::valueOf).toList()).orElse(List.of());
    }
}
