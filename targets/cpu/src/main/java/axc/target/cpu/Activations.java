package axc.target.cpu;

import java.util.Locale;

/**
 * How the cpu target feeds activations to Q8_0 and Q4_0 matrix products. {@link #INT8} (the default)
 * quantizes them per 32-element block to int8, as llama.cpp's CPU backend does, and runs integer dot
 * products (AVX-512 VNNI); {@link #F32} keeps them float32, so products agree with the quantizer's
 * dequantized reference to float rounding. Other weight types, and CPUs without VNNI, always use
 * float32. Chosen with the system property {@code axc.cpu.activations} or the environment variable
 * {@code AXC_CPU_ACTIVATIONS} ({@code int8} or {@code f32}).
 */
public enum Activations {
    INT8, F32;

    /** The mode the settings ask for: system property, then environment, then {@link #INT8}. */
    public static Activations configured() {
        return CpuSetting.configured("axc.cpu.activations", "AXC_CPU_ACTIVATIONS", Activations::parse, "int8 or f32");
    }

    static Activations parse(String v) {
        if (v == null || v.isBlank()) return INT8;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "int8" -> INT8;
            case "f32", "float", "exact" -> F32;
            default -> throw new IllegalArgumentException("cpu activations '" + v + "': use int8 or f32");
        };
    }
}
