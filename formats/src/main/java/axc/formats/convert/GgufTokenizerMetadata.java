package axc.formats.convert;

import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufValueType;
import axc.formats.hf.HfVocabulary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.*} metadata of a GGUF for a byte-level BPE vocabulary, laid out as llama.cpp's
 * and ollama's converters do: the vocabulary by id, then padding entries {@code [PAD0]}, {@code [PAD1]}…
 * up to the model's embedding rows; token types 1 (normal), 3 (special added: control), 4 (other added
 * tokens and padding: user-defined); scores = the id for real tokens and -1 for padding; merges as
 * "a b" strings.
 */
public final class GgufTokenizerMetadata {
    public static final int NORMAL = 1;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;

    private GgufTokenizerMetadata() {
    }

    public static Map<String, GgufValue> of(HfVocabulary v, int vocabRows, String pre) {
        int real = v.size();
        int rows = Math.max(vocabRows, real);
        List<String> tokens = new ArrayList<>(rows);
        List<Double> scores = new ArrayList<>(rows);
        List<Long> types = new ArrayList<>(rows);
        for (int i = 0; i < real; i++) {
            tokens.add(v.tokens().get(i));
            scores.add((double) i);
            types.add((long) (v.isSpecial(i) ? CONTROL : v.isAdded(i) ? USER_DEFINED : NORMAL));
        }
        for (int i = real; i < rows; i++) {
            tokens.add("[PAD" + (i - real) + "]");
            scores.add(-1.0);
            types.add((long) USER_DEFINED);
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.string(pre));
        m.put("tokenizer.ggml.tokens", GgufValue.array(GgufValueType.STRING, tokens));
        m.put("tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores));
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types));
        m.put("tokenizer.ggml.merges", GgufValue.array(GgufValueType.STRING, v.merges()));
        if (v.bosId() != null) m.put("tokenizer.ggml.bos_token_id", GgufValue.u32(v.bosId()));
        if (v.eosId() != null) m.put("tokenizer.ggml.eos_token_id", GgufValue.u32(v.eosId()));
        if (v.padId() != null) m.put("tokenizer.ggml.padding_token_id", GgufValue.u32(v.padId()));
        m.put("tokenizer.ggml.add_bos_token", GgufValue.bool(false));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        if (v.chatTemplate() != null) m.put("tokenizer.chat_template", GgufValue.string(v.chatTemplate()));
        return m;
    }

    /** llama.cpp's pre-tokenizer name: Qwen's regex for Qwen tokenizers, GPT-2's otherwise. */
    public static String preTokenizer(HfVocabulary v) {
        return v.tokenizerClass() == null || v.tokenizerClass().startsWith("Qwen2") ? "qwen2" : "gpt-2";
    }
}
