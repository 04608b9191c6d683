package axc.formats.hf;

/** The decoder families axc implements. Qwen3 differs from Qwen2 by q/k RMSNorm and no qkv bias. */
public enum Family {
    QWEN2("qwen2"),
    QWEN3("qwen3");

    private final String ggufArch;

    Family(String ggufArch) {
        this.ggufArch = ggufArch;
    }

    /** The {@code general.architecture} llama.cpp uses for this family. */
    public String ggufArch() {
        return ggufArch;
    }

    public String hfArchitecture() {
        return this == QWEN2 ? "Qwen2ForCausalLM" : "Qwen3ForCausalLM";
    }
}
