package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.formats.quant.RowQuantizerAccelerator;

import java.lang.foreign.MemorySegment;

/**
 * {@code axc quantize}'s round-to-nearest Q8_0, Q4_0, Q5_0, Q4_K, Q5_K and Q6_K on the native AVX-512
 * kernels ({@code axc_cpu_quant.h}, {@code axc_cpu_kquant.h}): the same bytes and error sums as the
 * Java kernels, without the JIT's warm-up, which cost a cold 0.5B run about a second at Q4_0 and
 * nearly four at Q4_K_M.
 */
public final class NativeRowQuantizer implements RowQuantizerAccelerator {
    @Override
    public boolean supports(DType src, DType dst, int cols) {
        // Storage types numbered as the matrix kernels number them; the C side takes the pairs it has code for.
        int s = CpuMatrix.nativeType(src), d = CpuMatrix.nativeType(dst);
        return cols > 0 && dst.isQuantized() && cols % dst.blockSize() == 0 && s >= 0 && d >= 0 && NativeKernels.available() && NativeKernels.axc_quantize_supported(s, d) != 0;
    }

    @Override
    public void quantize(DType src, MemorySegment in, long inOffset, long inRowBytes, DType dst, byte[] out, int cols, int rows, double[] err) {
        if (!in.isNative()) throw new IllegalArgumentException("input must be a native segment");
        long need = rows == 0 ? 0 : inRowBytes * (rows - 1) + src.bytesFor(cols);
        // Bounds the native code cannot check: the input rows lie inside the segment, the output fits.
        in.asSlice(inOffset, need);
        if (out.length < rows * dst.bytesFor(cols)) throw new IllegalArgumentException("output of " + out.length + " bytes is too small");
        if (err != null && err.length < 2 * rows) throw new IllegalArgumentException("error array is too small");
        int rc = NativeKernels.axc_quantize_rows(CpuMatrix.nativeType(src), in.address() + inOffset, inRowBytes, CpuMatrix.nativeType(dst), out, cols, rows, err);
        if (rc != 0) throw new IllegalStateException("native quantizer refused " + src + " -> " + dst + " rows of " + cols);
    }
}
