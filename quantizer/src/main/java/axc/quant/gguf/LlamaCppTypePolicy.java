package axc.quant.gguf;

import axc.formats.dtype.DType;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which GGUF type each tensor gets under a llama.cpp file type ("Q4_K_M", "Q4_0", ...), following
 * llama.cpp's quantizer: 2-D weights take the file type's base type; the output head (or the tied
 * embedding) takes Q6_K, or Q8_0 when its rows do not split into 256-wide blocks; Q4_K_M/Q5_K_M give
 * Q6_K to attn_v and ffn_down in the first and last eighth of the layers and every third layer between
 * ({@link #useMoreBits}); a K-quant whose row length is not a multiple of 256 falls back to Q5_0
 * (from Q4_K), Q5_1 (Q5_K) or Q8_0 (Q6_K), and to F16 if even that does not fit. 1-D tensors (norms,
 * biases) stay F32. With {@code pure} every 2-D weight takes the base type (llama-quantize --pure).
 */
public final class LlamaCppTypePolicy {
    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\.");

    public enum FileType {
        Q8_0(DType.Q8_0, 7), Q4_0(DType.Q4_0, 2), Q4_1(DType.Q4_1, 3), Q5_0(DType.Q5_0, 8), Q5_1(DType.Q5_1, 9),
        Q2_K(DType.Q2_K, 10), Q3_K_M(DType.Q3_K, 12), Q4_K_S(DType.Q4_K, 14), Q4_K_M(DType.Q4_K, 15),
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

    public LlamaCppTypePolicy(FileType ftype, boolean pure, int layers, boolean hasOutput) {
        this.ftype = ftype;
        this.pure = pure;
        this.layers = layers;
        this.hasOutput = hasOutput;
    }

    /** Tensors llama.cpp quantizes: 2-D (or more) weights that are not norms. */
    public static boolean quantizable(String name, int rank) {
        return rank >= 2 && name.endsWith(".weight") && !name.contains("_norm.weight");
    }

    /** The type of tensor {@code name} with rows of {@code rowLength} elements. */
    public DType typeOf(String name, int rank, long rowLength) {
        if (!quantizable(name, rank)) return DType.F32;
        DType t = ftype.base;
        if (!pure) {
            boolean head = name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"));
            if (head) {
                if (rowLength % 256 != 0) t = DType.Q8_0;
                else if (t != DType.Q8_0) t = DType.Q6_K;
            } else if (name.contains("attn_v.weight") || name.contains("ffn_down")) {
                int layer = layer(name);
                if ((ftype == FileType.Q4_K_M || ftype == FileType.Q5_K_M) && useMoreBits(layer, layers)) t = DType.Q6_K;
                else if (ftype == FileType.Q4_K_S && name.contains("attn_v.weight") && layer < 4) t = DType.Q5_K;
                else if (ftype == FileType.Q4_K_S && name.contains("ffn_down") && layer < layers / 8) t = DType.Q5_K;
            }
        }
        if (t.isQuantized() && rowLength % t.blockSize() != 0) {
            t = switch (t) {
                case Q4_K -> DType.Q5_0;
                case Q5_K -> DType.Q5_1;
                case Q6_K -> DType.Q8_0;
                default -> DType.F16;
            };
            if (rowLength % t.blockSize() != 0) t = DType.F16;
        }
        return t;
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
