package axc.ir;

import axc.formats.dtype.DType;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a weight is stored, which is what a kernel reading it must decode: a plain float type, one of
 * llama.cpp's block types, GPTQ's packed int4 groups, or int8 with one scale per output channel
 * (optionally with int8 activations, W8A8). The graph keeps weights in their stored form: a quantized
 * matmul is a {@code matmul} whose {@code scheme} attribute names the scheme, never a dequantized copy.
 *
 * <p>Spellings: {@code f32}, {@code f16}, {@code bf16}, {@code q8_0}, {@code q4_k} (any block type, lower
 * case), {@code gptq_int4_g128} (group size after {@code g}), {@code int8_channel}, {@code w8a8}.
 */
public sealed interface WeightScheme {
    /** The text spelling, also the value of the {@code scheme} attribute. */
    String spelling();

    /** A tensor stored as it is computed on: F32/F16/BF16, or a llama.cpp block type (Q8_0, Q4_K, ...). */
    record Stored(DType dtype) implements WeightScheme {
        public Stored {
            if (!dtype.isFloatStorage() && !dtype.isQuantized()) throw new IllegalArgumentException(dtype + " is not a weight storage type");
        }

        @Override
        public String spelling() {
            return dtype.name().toLowerCase(Locale.ROOT);
        }
    }

    /** GPTQ v1 packing: 4-bit codes, per-group f16 scales and zero points, {@code g_idx} group map. */
    record GptqInt4(int groupSize) implements WeightScheme {
        public GptqInt4 {
            if (groupSize <= 0) throw new IllegalArgumentException("group size " + groupSize);
        }

        @Override
        public String spelling() {
            return "gptq_int4_g" + groupSize;
        }
    }

    /** Symmetric int8 with one scale per output row; {@code int8Activations}: W8A8 (dynamic per-token int8 inputs). */
    record Int8Channel(boolean int8Activations) implements WeightScheme {
        @Override
        public String spelling() {
            return int8Activations ? "w8a8" : "int8_channel";
        }
    }

    WeightScheme F32 = new Stored(DType.F32);

    /** True for plain float storage (no quantization). */
    default boolean isFloat() {
        return this instanceof Stored s && s.dtype().isFloatStorage();
    }

    Pattern GPTQ = Pattern.compile("gptq_int4_g(\\d+)");

    static WeightScheme parse(String s) {
        switch (s) {
            case "int8_channel" -> {
                return new Int8Channel(false);
            }
            case "w8a8" -> {
                return new Int8Channel(true);
            }
            default -> {
            }
        }
        Matcher m = GPTQ.matcher(s);
        if (m.matches()) return new GptqInt4(Integer.parseInt(m.group(1)));
        for (DType d : DType.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(s) && (d.isFloatStorage() || d.isQuantized())) return new Stored(d);
        }
        throw new IllegalArgumentException("unknown weight scheme '" + s + "' (known: f32, f16, bf16, q8_0, q4_k, ..., gptq_int4_g128, int8_channel, w8a8)");
    }
}
