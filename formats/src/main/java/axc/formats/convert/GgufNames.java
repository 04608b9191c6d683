package axc.formats.convert;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Tensor names: Hugging Face (Qwen2/Qwen3) <-> llama.cpp's GGUF names. */
public final class GgufNames {
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)");
    private static final String[][] LAYER = {
            {"input_layernorm.weight", "attn_norm.weight"},
            {"post_attention_layernorm.weight", "ffn_norm.weight"},
            {"self_attn.q_proj.weight", "attn_q.weight"},
            {"self_attn.q_proj.bias", "attn_q.bias"},
            {"self_attn.k_proj.weight", "attn_k.weight"},
            {"self_attn.k_proj.bias", "attn_k.bias"},
            {"self_attn.v_proj.weight", "attn_v.weight"},
            {"self_attn.v_proj.bias", "attn_v.bias"},
            {"self_attn.o_proj.weight", "attn_output.weight"},
            {"self_attn.q_norm.weight", "attn_q_norm.weight"},
            {"self_attn.k_norm.weight", "attn_k_norm.weight"},
            {"mlp.gate_proj.weight", "ffn_gate.weight"},
            {"mlp.up_proj.weight", "ffn_up.weight"},
            {"mlp.down_proj.weight", "ffn_down.weight"},
    };
    private static final String[][] GLOBAL = {
            {"model.embed_tokens.weight", "token_embd.weight"},
            {"model.norm.weight", "output_norm.weight"},
            {"lm_head.weight", "output.weight"},
    };

    private GgufNames() {
    }

    public static Optional<String> toGguf(String hf) {
        for (String[] g : GLOBAL) if (g[0].equals(hf)) return Optional.of(g[1]);
        Matcher m = HF_LAYER.matcher(hf);
        if (m.matches()) {
            for (String[] l : LAYER) if (l[0].equals(m.group(2))) return Optional.of("blk." + m.group(1) + "." + l[1]);
        }
        return Optional.empty();
    }

    public static Optional<String> toHf(String gguf) {
        for (String[] g : GLOBAL) if (g[1].equals(gguf)) return Optional.of(g[0]);
        Matcher m = GGUF_LAYER.matcher(gguf);
        if (m.matches()) {
            for (String[] l : LAYER) if (l[1].equals(m.group(2))) return Optional.of("model.layers." + m.group(1) + "." + l[0]);
        }
        return Optional.empty();
    }
}
