package axc.formats.quant;

import axc.formats.dtype.DType;

import java.lang.foreign.MemorySegment;

/**
 * Reference (scalar) quantization from float32, reproducing llama.cpp's {@code quantize_row_*_ref}
 * (what {@code llama-quantize} runs when no importance matrix is given), plus the plain casts to F32,
 * F16 and BF16.
 */
public final class Quantizer {
    private Quantizer() {
    }

    public static boolean supports(DType t) {
        return Dequantizer.supports(t);
    }

    /**
     * Quantizes {@code src[srcOff..srcOff+n)} as {@code t} into {@code dst} from byte {@code dstOff};
     * writes {@code t.bytesFor(n)} bytes. {@code n} must be a multiple of the block size; blocks never
     * straddle rows, so quantizing a matrix row by row or all at once gives the same bytes.
     */
    public static void quantize(DType t, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        if (n % t.blockSize() != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of the " + t + " block of " + t.blockSize());
        }
        int nb = n / t.blockSize();
        switch (t) {
            case F32 -> {
                for (int i = 0; i < n; i++) dst.set(BlockIo.LE_FLOAT, dstOff + 4L * i, src[srcOff + i]);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) dst.set(BlockIo.LE_SHORT, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(BlockIo.LE_SHORT, dstOff + 2L * i, axc.formats.dtype.FloatCodec.floatToBf16(src[srcOff + i]));
                }
            }
            case Q8_0 -> {
                if (VectorBlocks.USABLE && dst.heapBase().orElse(null) instanceof byte[] a && dst.address() == 0) VectorBlocks.q8_0(src, srcOff, a, Math.toIntExact(dstOff), nb);
                else Q8_0.quantize(src, srcOff, dst, dstOff, nb);
            }
            case Q4_0 -> {
                if (VectorBlocks.USABLE && dst.heapBase().orElse(null) instanceof byte[] a && dst.address() == 0) VectorBlocks.q4_0(src, srcOff, a, Math.toIntExact(dstOff), nb);
                else Q4_0.quantize(src, srcOff, dst, dstOff, nb);
            }
            case Q4_1 -> Q4_1.quantize(src, srcOff, dst, dstOff, nb);
            case Q5_0 -> {
                if (VectorBlocks.USABLE && dst.heapBase().orElse(null) instanceof byte[] a && dst.address() == 0) VectorBlocks.q5_0(src, srcOff, a, Math.toIntExact(dstOff), nb);
                else Q5_0.quantize(src, srcOff, dst, dstOff, nb);
            }
            case Q5_1 -> Q5_1.quantize(src, srcOff, dst, dstOff, nb);
            case Q2_K -> Q2_K.quantize(src, srcOff, dst, dstOff, nb);
            case Q3_K -> Q3_K.quantize(src, srcOff, dst, dstOff, nb);
            case Q4_K -> Q4_K.quantize(src, srcOff, dst, dstOff, nb);
            case Q5_K -> Q5_K.quantize(src, srcOff, dst, dstOff, nb);
            case Q6_K -> Q6_K.quantize(src, srcOff, dst, dstOff, nb);
            default -> throw new UnsupportedOperationException("cannot quantize to " + t);
        }
    }

    /**
     * Squared error and squared norm of the row {@code q[off..]} holds as {@code t}, against the
     * {@code n} floats it was quantized from, into {@code out[0..1]}, read straight from the codes.
     * Returns false, touching nothing, where no bulk path exists for {@code t} here.
     */
    public static boolean rowError(DType t, byte[] q, int off, float[] x, int xOff, int n, double[] out) {
        if (!VectorBlocks.USABLE || n % 32 != 0) return false;
        switch (t) {
            case Q8_0 -> VectorBlocks.q8_0Error(q, off, x, xOff, n, out);
            case Q4_0 -> VectorBlocks.q4_0Error(q, off, x, xOff, n, out);
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Squared error and squared norm of {@code back[0..n)} (a row read back from its codes) against
     * {@code x[xOff..xOff+n)}, into {@code out[0..1]}: in float lanes over the row, summed in double at
     * the end, as {@link #rowError} sums them, so the native row quantizers can reproduce the figure.
     * Where the vector kernels do not run here, in float per 32-element block and then in double.
     */
    public static void dequantizedError(float[] back, float[] x, int xOff, int n, double[] out) {
        if (VectorBlocks.USABLE && n % 32 == 0) {
            VectorBlocks.floatError(back, x, xOff, n, out);
            return;
        }
        double e = 0, s = 0;
        for (int b = 0; b < n; b += 32) {
            float eb = 0, sb = 0;
            for (int k = b; k < Math.min(n, b + 32); k++) {
                float d = back[k] - x[xOff + k];
                eb += d * d;
                sb += x[xOff + k] * x[xOff + k];
            }
            e += eb;
            s += sb;
        }
        out[0] = e;
        out[1] = s;
    }

    /** As {@link #quantize(DType, float[], int, int, MemorySegment, long)}, into a new array. */
    public static byte[] quantize(DType t, float[] src, int srcOff, int n) {
        byte[] out = new byte[Math.toIntExact(t.bytesFor(n))];
        quantize(t, src, srcOff, n, MemorySegment.ofArray(out), 0);
        return out;
    }
}
