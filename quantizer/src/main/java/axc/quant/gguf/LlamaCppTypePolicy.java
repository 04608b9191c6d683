package axc.quant.gguf;

import axc.formats.dtype.DType;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which GGUF type each tensor gets under a llama.cpp file type ("Q4_K_M", "Q4_0", ...), following
 * llama.cpp's quantizer (its {@code llama_tensor_get_type}, for dense models other than Falcon):
 * <ul>
 * <li>2-D weights take the file type's base type; 1-D tensors (norms, biases) stay F32;</li>
 * <li>the output head (or the tied embedding) takes Q6_K, or Q8_0 when its rows do not split into
 *     blocks of the base type;</li>
 * <li>the mixes raise a few tensors: attn_v, ffn_down and attn_output by file type (Q2_K, Q3_K_M,
 *     Q3_K_L, Q4_K_S), and Q6_K for attn_v and ffn_down in the layers {@link #useMoreBits} picks
 *     (Q4_K_M, Q5_K_M);</li>
 * <li>a type whose block does not divide the row length falls back: Q2_K and Q3_K to Q4_0, Q4_K to
 *     Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and to F16 if even that does not fit.</li>
 * </ul>
 * With {@code pure} every 2-D weight takes the base type (llama-quantize --pure). The mixes were
 * checked tensor by tensor against llama-quantize's own output ({@code LlamaQuantizeMixTest}).
 */
public final class LlamaCppTypePolicy {
    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\.");

    public enum FileType {
        Q8_0(DType.Q8_0, 7), Q4_0(DType.Q4_0, 2), Q4_1(DType.Q4_1, 3), Q5_0(DType.Q5_0, 8), Q5_1(DType.Q5_1, 9),
        Q2_K(DType.Q2_K, 10), Q3_K_S(DType.Q3_K, 11), Q3_K_M(DType.Q3_K, 12), Q3_K_L(DType.Q3_K, 13), Q4_K_S(DType.Q4_K, 14), Q4_K_M(DType.Q4_K, 15),
        Q5_K_S(DType.Q5_K, 16), Q5_K_M(DType.Q5_K, 17), Q6_K(DType.Q6_K, 18), F16(DType.F16, 1), BF16(DType.BF16, 32), F32(DType.F32, 0);

        final DType base;
        final int id;

        FileType(DType base, int id) {
            this.base = base;
            this.id = id;
        }

        public DType base() {
            return base;
        }

        /** llama.cpp's {@code general.file_type} value. */
        public int id() {
            return id;
        }

        public static FileType parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private final FileType ftype;
    private final boolean pure;
    private final int layers;
    private final boolean hasOutput;
    private final int gqa;

    /** {@code gqa}: attention heads per key/value head (llama.cpp's n_gqa). */
    public LlamaCppTypePolicy(FileType ftype, boolean pure, int layers, boolean hasOutput, int gqa) {
        this.ftype = ftype;
        this.pure = pure;
        this.layers = layers;
        this.hasOutput = hasOutput;
        this.gqa = gqa;
    }

    /** Tensors llama.cpp quantizes: 2-D (or more) weights that are not norms. */
    public static boolean quantizable(String name, int rank) {
        return rank >= 2 && name.endsWith(".weight") && !name.contains("_norm.weight");
    }

    /** The type of tensor {@code name} with rows of {@code rowLength} elements. */
    public DType typeOf(String name, int rank, long rowLength) {
        if (!quantizable(name, rank)) return DType.F32;
        DType t = ftype.base;
        // The mixes apply to quantized file types only: an F16 or BF16 file keeps every matrix at its type.
        if (!pure && t.isQuantized()) {
            boolean head = name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"));
            if (head) {
                if (rowLength % t.blockSize() != 0) t = DType.Q8_0;
                else if (t != DType.Q8_0) t = DType.Q6_K;
            } else if (name.contains("attn_v.weight")) {
                t = attnV(layer(name), t);
            } else if (name.contains("ffn_down")) {
                t = ffnDown(layer(name), t);
            } else if (name.contains("attn_output.weight")) {
                t = switch (ftype) {
                    case Q2_K -> DType.Q3_K;
                    case Q3_K_M -> DType.Q4_K;
                    case Q3_K_L -> DType.Q5_K;
                    default -> t;
                };
            }
        }
        if (t.isQuantized() && rowLength % t.blockSize() != 0) {
            t = switch (t) {
                case Q2_K, Q3_K -> DType.Q4_0;
                case Q4_K -> DType.Q5_0;
                case Q5_K -> DType.Q5_1;
                case Q6_K -> DType.Q8_0;
                default -> t;
            };
            if (rowLength % t.blockSize() != 0) t = DType.F16;
        }
        return t;
    }

    /** The value projection: most of its layer's attention error for a few percent of its weights. */
    private DType attnV(int layer, DType t) {
        return switch (ftype) {
            case Q2_K -> gqa >= 4 ? DType.Q4_K : DType.Q3_K;
            case Q3_K_M -> layer < 2 ? DType.Q5_K : DType.Q4_K;
            case Q3_K_L -> DType.Q5_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(layer, layers) ? DType.Q6_K : t;
            case Q4_K_S -> layer < 4 ? DType.Q5_K : t;
            default -> t;
        };
    }

    private DType ffnDown(int layer, DType t) {
        return switch (ftype) {
            case Q2_K -> DType.Q3_K;
            case Q3_K_M -> layer < layers / 16 ? DType.Q5_K : DType.Q4_K;
            case Q3_K_L -> DType.Q5_K;
            case Q4_K_M, Q5_K_M -> useMoreBits(layer, layers) ? DType.Q6_K : t;
            case Q4_K_S -> layer < layers / 8 ? DType.Q5_K : t;
            default -> t;
        };
    }

    /** llama.cpp's "use more bits" layers: first and last eighth, and every third layer between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    static int layer(String name) {
        Matcher m = LAYER.matcher(name);
        return m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
    }
}
