package axc.formats.hf;

/** Hugging Face tensor names of the Qwen2/Qwen3 decoders. */
public final class HfNames {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private HfNames() {
    }

    private static String layer(int l, String rest) {
        return "model.layers." + l + "." + rest;
    }

    public static String attnNorm(int l) { return layer(l, "input_layernorm.weight"); }
    public static String ffnNorm(int l) { return layer(l, "post_attention_layernorm.weight"); }
    public static String q(int l) { return layer(l, "self_attn.q_proj.weight"); }
    public static String k(int l) { return layer(l, "self_attn.k_proj.weight"); }
    public static String v(int l) { return layer(l, "self_attn.v_proj.weight"); }
    public static String o(int l) { return layer(l, "self_attn.o_proj.weight"); }
    public static String qBias(int l) { return layer(l, "self_attn.q_proj.bias"); }
    public static String kBias(int l) { return layer(l, "self_attn.k_proj.bias"); }
    public static String vBias(int l) { return layer(l, "self_attn.v_proj.bias"); }
    public static String qNorm(int l) { return layer(l, "self_attn.q_norm.weight"); }
    public static String kNorm(int l) { return layer(l, "self_attn.k_norm.weight"); }
    public static String gate(int l) { return layer(l, "mlp.gate_proj.weight"); }
    public static String up(int l) { return layer(l, "mlp.up_proj.weight"); }
    public static String down(int l) { return layer(l, "mlp.down_proj.weight"); }
}
