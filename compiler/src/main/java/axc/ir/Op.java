package axc.ir;

import java.util.List;
import java.util.Set;

/**
 * The closed set of graph operations, each with its text spelling, {@link FusionKind}, number of
 * inputs and required attributes. Activations are row-major with the features on the innermost axis;
 * every op works row by row along it, so leading axes (usually just {@code T}, the tokens of a step)
 * pass through. Semantics (bit-exact float32 with float64 accumulation) are those of
 * {@code axc.interp.Interpreter}; {@code docs/ir.md} documents each op. The matmul family
 * ({@code matmul}, {@code rms_norm_matmul}, {@code matmul_swiglu}) may carry an {@link Epilogue}.
 */
public enum Op {
    /** A named runtime input (token ids, positions). */
    INPUT("input", FusionKind.OPAQUE, 0, 0, Set.of("name")),
    /** A weight, by its Hugging Face tensor name, typed as its logical f32 shape, stored as {@code scheme} says. */
    PARAM("param", FusionKind.OPAQUE, 0, 0, Set.of("name", "scheme")),
    /** Rows of a table (param) gathered by token id: {@code (table[V,H], ids i32[..]) -> f32[..,H]}. */
    EMBEDDING("embedding", FusionKind.INJECTIVE, 2, 2, Set.of("scheme")),
    /** {@code x * rsqrt(mean(x^2) + eps) * w} along the innermost axis. */
    RMS_NORM("rms_norm", FusionKind.REDUCE, 2, 2, Set.of("eps")),
    /** RMSNorm of each head's slice of {@code head_dim} features, one shared weight (Qwen3's q/k norm). */
    HEAD_RMS_NORM("head_rms_norm", FusionKind.REDUCE, 2, 2, Set.of("heads", "head_dim", "eps")),
    /** {@code x * W^T} for {@code W[n,k]}; with several weights, their outputs concatenated (one matmul over stacked weights). */
    MATMUL("matmul", FusionKind.OUT_ELEMENTWISE_FUSABLE, 2, Integer.MAX_VALUE, Set.of("scheme")),
    /**
     * {@code matmul(rms_norm(x, g), W1..Wn)}: the normalized row computed once and fed to every weight.
     * With {@code fold_norm=true}, lowering folds {@code g} into the weights' columns ({@code W[:,k] * g[k]},
     * legal for float weights only) and normalizes without it; the value is the same.
     */
    RMS_NORM_MATMUL("rms_norm_matmul", FusionKind.OUT_ELEMENTWISE_FUSABLE, 3, Integer.MAX_VALUE, Set.of("eps", "scheme")),
    /** {@code silu(x * Wg^T) * (x * Wu^T)}: an MLP's gate and up projections with their SwiGLU epilogue. */
    MATMUL_SWIGLU("matmul_swiglu", FusionKind.OUT_ELEMENTWISE_FUSABLE, 3, 3, Set.of("scheme")),
    /** {@code x + concat(b1..bn)} broadcast over leading axes. */
    BIAS_ADD("bias_add", FusionKind.BROADCAST, 2, Integer.MAX_VALUE, Set.of()),
    /** {@code a + b} (the residual). */
    ADD("add", FusionKind.ELEMENTWISE, 2, 2, Set.of()),
    /** {@code a * b}. */
    MUL("mul", FusionKind.ELEMENTWISE, 2, 2, Set.of()),
    /** {@code x / (1 + exp(-x))}. */
    SILU("silu", FusionKind.ELEMENTWISE, 1, 1, Set.of()),
    /** {@code silu(gate) * up}. */
    SWIGLU("swiglu", FusionKind.ELEMENTWISE, 2, 2, Set.of()),
    /** Rotate-half rotary embedding of each head at the row's position. */
    ROPE("rope", FusionKind.INJECTIVE, 2, 2, Set.of("heads", "head_dim", "theta")),
    /** Causal grouped-query attention; writes k and v into KV cache slot {@code layer} at the positions, then attends. */
    ATTENTION("attention", FusionKind.OPAQUE, 4, 4, Set.of("heads", "kv_heads", "head_dim", "layer")),
    /** Features {@code [start, start+size)} of the innermost axis (splits a concatenated matmul's output). */
    SLICE("slice", FusionKind.INJECTIVE, 1, 1, Set.of("start", "size"));

    private final String spelling;
    private final FusionKind kind;
    private final int minInputs;
    private final int maxInputs;
    private final Set<String> requiredAttrs;

    Op(String spelling, FusionKind kind, int minInputs, int maxInputs, Set<String> requiredAttrs) {
        this.spelling = spelling;
        this.kind = kind;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.requiredAttrs = requiredAttrs;
    }

    public String spelling() {
        return spelling;
    }

    public FusionKind fusionKind() {
        return kind;
    }

    public int minInputs() {
        return minInputs;
    }

    public int maxInputs() {
        return maxInputs;
    }

    public Set<String> requiredAttrs() {
        return requiredAttrs;
    }

    /** Ops that read weights in their stored form and carry a {@code scheme} attribute. */
    public boolean readsWeights() {
        return requiredAttrs.contains("scheme") && this != PARAM;
    }

    /**
     * Which inputs must be {@code param} nodes: the weights of matmuls, the table of an embedding, norm
     * weights and biases.
     */
    public boolean isWeightInput(int i) {
        return switch (this) {
            case EMBEDDING -> i == 0;
            case RMS_NORM, HEAD_RMS_NORM, MATMUL, MATMUL_SWIGLU, BIAS_ADD -> i >= 1;
            case RMS_NORM_MATMUL -> i >= 1;
            default -> false;
        };
    }

    /** Which inputs are weights stored as the op's {@code scheme} says (all of one scheme). */
    public boolean isSchemeInput(int i) {
        return switch (this) {
            case EMBEDDING -> i == 0;
            case MATMUL, MATMUL_SWIGLU -> i >= 1;
            case RMS_NORM_MATMUL -> i >= 2;
            default -> false;
        };
    }

    public static Op parse(String s) {
        for (Op o : values()) if (o.spelling.equals(s)) return o;
        throw new IllegalArgumentException("unknown op '" + s + "'");
    }

    /**
     * The result type of this op on inputs of {@code in} with {@code a}; throws
     * {@link IllegalArgumentException} naming the rule a shape breaks. Not defined for
     * {@code input} and {@code param}, whose types are declared.
     */
    public TensorType infer(List<TensorType> in, Attrs a) {
        return TypeRules.infer(this, in, a);
    }
}
