package axc.formats.hf;

import axc.errors.UnsupportedFeatureException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/**
 * The {@code quantization_config} of a quantized Hugging Face checkpoint, in the two layouts axc
 * writes and reads:
 * <ul>
 *   <li>{@code gptq} (4-bit, grouped, GPTQ v1 packing: {@code qweight} int32 [in/8, out], {@code qzeros}
 *       int32 [in/group, out/8] holding zero-1, {@code scales} f16 [in/group, out], {@code g_idx});</li>
 *   <li>{@code compressed-tensors} int-quantized 8-bit per output channel ({@code weight} int8 [out, in],
 *       {@code weight_scale} [out, 1]), optionally with dynamic per-token int8 activations (W8A8).</li>
 * </ul>
 */
public record QuantizationConfig(String method, int bits, int groupSize, boolean symmetric, boolean activationsInt8) {

    public static QuantizationConfig parse(JsonNode q, Path file) {
        if (q == null || q.isNull()) return null;
        String method = q.path("quant_method").asText("");
        switch (method) {
            case "gptq" -> {
                int bits = q.path("bits").asInt(4);
                if (bits != 4) throw new UnsupportedFeatureException(file + ": key 'quantization_config.bits': " + bits + "-bit GPTQ is not supported (4-bit is)");
                String format = q.path("checkpoint_format").asText("gptq");
                if (!format.equals("gptq")) throw new UnsupportedFeatureException(file + ": key 'quantization_config.checkpoint_format': '" + format + "' is not supported (gptq is)");
                return new QuantizationConfig("gptq", 4, q.path("group_size").asInt(128), q.path("sym").asBoolean(false), false);
            }
            case "compressed-tensors" -> {
                JsonNode g = q.path("config_groups").path("group_0");
                JsonNode w = g.path("weights");
                if (w.path("num_bits").asInt() != 8 || !w.path("strategy").asText().equals("channel")) {
                    throw new UnsupportedFeatureException(file + ": key 'quantization_config.config_groups': only 8-bit per-channel int weights are supported");
                }
                boolean a8 = g.hasNonNull("input_activations") && g.get("input_activations").path("num_bits").asInt() == 8;
                return new QuantizationConfig("compressed-tensors", 8, 0, true, a8);
            }
            default -> throw new UnsupportedFeatureException(file + ": key 'quantization_config.quant_method': '" + method + "' is not supported (gptq and compressed-tensors are)");
        }
    }

    public boolean gptq() {
        return method.equals("gptq");
    }
}
