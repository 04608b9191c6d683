package axc.ir;

import java.util.Locale;

/** Element types of values flowing through a graph (activations, token ids, positions). */
public enum DataType {
    F32, F16, BF16, I32, I8;

    /** The text spelling: {@code f32}, {@code i32}, ... */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    public static DataType parse(String s) {
        for (DataType d : values()) if (d.spelling().equals(s)) return d;
        throw new IllegalArgumentException("unknown element type '" + s + "' (known: f32, f16, bf16, i32, i8)");
    }
}
