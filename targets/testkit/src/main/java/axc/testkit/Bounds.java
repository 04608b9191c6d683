package axc.testkit;

import axc.ir.WeightScheme;

import java.util.Collection;

/**
 * Default NMSE bounds of the op-level checks, by the weight scheme an op reads. The target's result is
 * compared with the interpreter's on the same stored weights, so the bound covers the target's
 * arithmetic (accumulation order and precision, fused multiply-adds, its own activation rounding),
 * not quantization error. Ops that read no weights use the {@code f32} bound.
 *
 * <table>
 *   <caption>defaults</caption>
 *   <tr><th>scheme</th><th>bound</th><th>why</th></tr>
 *   <tr><td>f32</td><td>1e-10</td><td>float32 kernels, any summation order</td></tr>
 *   <tr><td>f16, bf16</td><td>1e-5</td><td>half-precision activations or accumulation allowed</td></tr>
 *   <tr><td>int8_channel, w8a8</td><td>1e-4</td><td>integer dot products, activation quantization at the kernel's rounding</td></tr>
 *   <tr><td>llama.cpp blocks, gptq</td><td>1e-3</td><td>kernels may quantize activations (q8 dot products, as llama.cpp does)</td></tr>
 * </table>
 */
public final class Bounds {
    private Bounds() {
    }

    public static double defaultFor(WeightScheme s) {
        return switch (s) {
            case WeightScheme.Stored st when st.dtype() == axc.formats.dtype.DType.F32 -> 1e-10;
            case WeightScheme.Stored st when st.dtype().isFloatStorage() -> 1e-5;
            case WeightScheme.Int8Channel i -> 1e-4;
            default -> 1e-3;
        };
    }

    /** The loosest of the bounds of {@code schemes} ({@code f32}'s when empty). */
    public static double loosest(Collection<WeightScheme> schemes, java.util.function.ToDoubleFunction<WeightScheme> bound) {
        double b = bound.applyAsDouble(WeightScheme.F32);
        for (WeightScheme s : schemes) b = Math.max(b, bound.applyAsDouble(s));
        return b;
    }
}
