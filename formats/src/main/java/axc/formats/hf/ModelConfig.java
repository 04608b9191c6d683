package axc.formats.hf;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Qwen-family decoder's hyper-parameters, parsed once from a Hugging Face {@code config.json}. Both
 * transformers 4 and 5 spellings are accepted ({@code torch_dtype}/{@code dtype},
 * {@code rope_theta}/{@code rope_parameters}, {@code layer_types}). Features axc does not implement
 * (mixture of experts, rope scaling, sliding-window attention in use) are refused naming the key.
 *
 * <p>{@code family} here is the family the config claims; {@link FamilyDetector} confirms it against
 * the tensors.
 */
public record ModelConfig(
        List<String> architectures,
        String modelType,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings,
        String torchDtype,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Boolean attentionBias,
        Family family,
        QuantizationConfig quantization) {

    public static ModelConfig read(Path file) {
        return parse(Json.read(file), file);
    }

    public static ModelConfig parse(JsonNode c, Path file) {
        if (!c.isObject()) throw InvalidInputException.of(file, "config is not a JSON object");
        List<String> archs = new ArrayList<>();
        JsonNode a = c.get("architectures");
        if (a != null && a.isArray()) a.forEach(x -> archs.add(x.asText()));
        String modelType = text(c, "model_type", "");

        refuseUnsupported(c, file, archs, modelType);
        Family family = familyFromConfig(archs, modelType, file);

        int hidden = positiveInt(c, "hidden_size", file);
        int layers = positiveInt(c, "num_hidden_layers", file);
        int heads = positiveInt(c, "num_attention_heads", file);
        int kvHeads = c.hasNonNull("num_key_value_heads") ? positiveInt(c, "num_key_value_heads", file) : heads;
        if (heads % kvHeads != 0) {
            throw InvalidInputException.of(file, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int headDim;
        if (c.hasNonNull("head_dim")) {
            headDim = positiveInt(c, "head_dim", file);
        } else {
            if (hidden % heads != 0) throw InvalidInputException.of(file, "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads + " and no head_dim is given");
            headDim = hidden / heads;
        }
        if (headDim % 2 != 0) throw InvalidInputException.of(file, "head_dim " + headDim + " must be even for rotary embeddings");
        int inter = positiveInt(c, "intermediate_size", file);
        int vocab = positiveInt(c, "vocab_size", file);
        double eps = c.hasNonNull("rms_norm_eps") ? number(c, "rms_norm_eps", file) : 1e-6;
        if (!(eps > 0 && eps < 1)) throw InvalidInputException.of(file, "rms_norm_eps " + eps + " is out of range");
        double theta = ropeTheta(c, file);
        boolean tie = c.has("tie_word_embeddings") ? c.get("tie_word_embeddings").asBoolean() : false;
        int maxPos = c.hasNonNull("max_position_embeddings") ? positiveInt(c, "max_position_embeddings", file) : 32768;
        String dtype = c.hasNonNull("dtype") ? c.get("dtype").asText() : text(c, "torch_dtype", "float32");
        Integer bos = c.hasNonNull("bos_token_id") && c.get("bos_token_id").canConvertToInt() ? c.get("bos_token_id").asInt() : null;
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.get("eos_token_id");
        if (e != null && e.isArray()) e.forEach(x -> eos.add(x.asInt()));
        else if (e != null && e.canConvertToInt()) eos.add(e.asInt());
        Boolean bias = c.hasNonNull("attention_bias") ? c.get("attention_bias").asBoolean() : null;
        QuantizationConfig quant = QuantizationConfig.parse(c.get("quantization_config"), file);
        return new ModelConfig(List.copyOf(archs), modelType, hidden, layers, heads, kvHeads, headDim, inter, vocab,
                eps, theta, tie, maxPos, dtype, bos, List.copyOf(eos), bias, family, quant);
    }

    private static void refuseUnsupported(JsonNode c, Path file, List<String> archs, String modelType) {
        for (String key : List.of("num_experts", "num_local_experts", "n_routed_experts", "moe_intermediate_size")) {
            JsonNode n = c.get(key);
            if (n != null && !n.isNull() && !(n.isNumber() && n.asInt() == 0)) {
                throw new UnsupportedFeatureException(file + ": key '" + key + "': mixture-of-experts models are not supported");
            }
        }
        if (modelType.toLowerCase(Locale.ROOT).contains("moe") || archs.stream().anyMatch(x -> x.contains("Moe"))) {
            throw new UnsupportedFeatureException(file + ": key 'model_type': mixture-of-experts models (" + modelType + ") are not supported");
        }
        JsonNode rs = c.get("rope_scaling");
        if (rs != null && !rs.isNull()) {
            String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.hasNonNull("type") ? rs.get("type").asText() : "?";
            if (!type.equals("default")) {
                throw new UnsupportedFeatureException(file + ": key 'rope_scaling': rope scaling type '" + type + "' is not implemented");
            }
        }
        JsonNode rp = c.get("rope_parameters");
        if (rp != null && rp.isObject() && rp.hasNonNull("rope_type") && !rp.get("rope_type").asText().equals("default")) {
            throw new UnsupportedFeatureException(file + ": key 'rope_parameters.rope_type': rope type '" + rp.get("rope_type").asText() + "' is not implemented");
        }
        if (c.path("use_sliding_window").asBoolean(false)) {
            throw new UnsupportedFeatureException(file + ": key 'use_sliding_window': sliding-window attention is not implemented");
        }
        JsonNode lt = c.get("layer_types");
        if (lt != null && lt.isArray()) {
            for (int i = 0; i < lt.size(); i++) {
                if (!lt.get(i).asText().equals("full_attention")) {
                    throw new UnsupportedFeatureException(file + ": key 'layer_types[" + i + "]': layer type '" + lt.get(i).asText() + "' is not implemented");
                }
            }
        }
        String act = text(c, "hidden_act", "silu");
        if (!act.equals("silu")) throw new UnsupportedFeatureException(file + ": key 'hidden_act': activation '" + act + "' is not implemented");
    }

    private static Family familyFromConfig(List<String> archs, String modelType, Path file) {
        for (String a : archs) {
            if (a.equals("Qwen2ForCausalLM")) return Family.QWEN2;
            if (a.equals("Qwen3ForCausalLM")) return Family.QWEN3;
        }
        if (modelType.equals("qwen2")) return Family.QWEN2;
        if (modelType.equals("qwen3")) return Family.QWEN3;
        // A derived model with its own architecture name: the tensors decide (FamilyDetector).
        if (archs.isEmpty() && modelType.isEmpty()) {
            throw InvalidInputException.of(file, "neither 'architectures' nor 'model_type' is set");
        }
        return null;
    }

    private static double ropeTheta(JsonNode c, Path file) {
        if (c.hasNonNull("rope_theta")) return number(c, "rope_theta", file);
        JsonNode rp = c.get("rope_parameters");
        if (rp != null && rp.hasNonNull("rope_theta")) return number(rp, "rope_theta", file);
        return 10000.0;
    }

    private static String text(JsonNode c, String key, String dflt) {
        JsonNode n = c.get(key);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    private static int positiveInt(JsonNode c, String key, Path file) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) throw InvalidInputException.of(file, "missing key '" + key + "'");
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw InvalidInputException.of(file, "key '" + key + "' must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    private static double number(JsonNode c, String key, Path file) {
        JsonNode n = c.get(key);
        if (!n.isNumber()) throw InvalidInputException.of(file, "key '" + key + "' must be a number, got " + n);
        return n.asDouble();
    }

    /** Copy with the family set (once the tensors confirmed it). */
    public ModelConfig withFamily(Family f) {
        return new ModelConfig(architectures, modelType, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize,
                vocabSize, rmsNormEps, ropeTheta, tieWordEmbeddings, maxPositionEmbeddings, torchDtype, bosTokenId, eosTokenIds,
                attentionBias, f, quantization);
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }
}
