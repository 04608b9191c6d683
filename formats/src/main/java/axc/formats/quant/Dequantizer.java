package axc.formats.quant;

import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * Reference (scalar) dequantization of F32, F16, BF16 and the llama.cpp block types to float32. The
 * results equal ggml's reference dequantizers bit for bit: every product is formed in float32 in the
 * same order as ggml.
 */
public final class Dequantizer {
    private Dequantizer() {
    }

    public static boolean supports(DType t) {
        return switch (t) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Dequantizes {@code n} elements stored as {@code t} starting at byte {@code srcOffset} of
     * {@code src} (which must be a block boundary) into {@code dst[dstOff..dstOff+n)}. {@code n} must be
     * a multiple of the block size.
     */
    public static void dequantize(DType t, MemorySegment src, long srcOffset, float[] dst, int dstOff, int n) {
        if (n % t.blockSize() != 0) {
            throw new IllegalArgumentException(n + " elements is not a multiple of the " + t + " block of " + t.blockSize());
        }
        int nb = n / t.blockSize();
        switch (t) {
            case F32 -> {
                for (int i = 0; i < n; i++) dst[dstOff + i] = src.get(BlockIo.LE_FLOAT, srcOffset + 4L * i);
            }
            case F16, BF16 -> {
                // Bulk copy, then plain loops that C2 compiles to vector conversions (vcvtph2ps for
                // F16). A Vector API decoder was 4x slower once compiled and about 50x slower before,
                // which is most of a short command's run.
                short[] h = new short[Math.min(n, 4096)];
                for (int i = 0; i < n; i += h.length) {
                    int m = Math.min(h.length, n - i);
                    MemorySegment.copy(src, BlockIo.LE_SHORT, srcOffset + 2L * i, h, 0, m);
                    if (t == DType.F16) f16(h, m, dst, dstOff + i);
                    else bf16(h, m, dst, dstOff + i);
                }
            }
            case Q8_0 -> Q8_0.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q4_0 -> Q4_0.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q4_1 -> Q4_1.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q5_0 -> Q5_0.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q5_1 -> Q5_1.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q2_K -> Q2_K.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q3_K -> Q3_K.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q4_K -> Q4_K.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q5_K -> Q5_K.dequantize(src, srcOffset, dst, dstOff, nb);
            case Q6_K -> Q6_K.dequantize(src, srcOffset, dst, dstOff, nb);
            default -> throw new UnsupportedOperationException("cannot dequantize " + t);
        }
    }

    private static void f16(short[] h, int n, float[] dst, int off) {
        for (int k = 0; k < n; k++) dst[off + k] = Float.float16ToFloat(h[k]);
    }

    private static void bf16(short[] h, int n, float[] dst, int off) {
        for (int k = 0; k < n; k++) dst[off + k] = Float.intBitsToFloat(h[k] << 16);
    }

    /** All {@code n} elements of a tensor whose data is {@code src}. */
    public static float[] dequantize(DType t, MemorySegment src, long n) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of " + n + " elements does not fit one float[]");
        float[] out = new float[(int) n];
        dequantize(t, src, 0, out, 0, (int) n);
        return out;
    }

    /**
     * Rows {@code [firstRow, firstRow+rows)} of a matrix stored row by row as {@code t} with
     * {@code rowLength} elements a row (ggml's ne[0]), into {@code dst} from {@code dstOff}.
     */
    public static void dequantizeRows(DType t, MemorySegment src, long rowLength, long firstRow, int rows,
                                      float[] dst, int dstOff) {
        long n = Math.multiplyExact(rowLength, (long) rows);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(n + " elements do not fit one float[]");
        long rowBytes = t.bytesFor(rowLength);
        dequantize(t, src, Math.multiplyExact(rowBytes, firstRow), dst, dstOff, (int) n);
    }

    /** The whole of a GGUF tensor, in file order (innermost dimension fastest). */
    public static float[] tensor(GgufFile f, String name) {
        GgufTensorInfo info = f.ggufTensor(name);
        long n = 1;
        for (long d : info.ne()) n = Math.multiplyExact(n, d);
        return dequantize(info.dtype(), f.data(name), n);
    }
}
