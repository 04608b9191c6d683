package axc.target.cpu;

import axc.reference.Int8ChannelMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An int8 matrix with one scale per row (the {@code int8} and {@code w8a8} schemes) on the native
 * kernels, output rows over the {@link RowPool}. W8A16 dots the codes with float activations; W8A8
 * quantizes each activation row as {@link Int8ChannelMatrix} does (in Java, the same code) and dots in
 * exact integers, so its outputs are the reference's bit for bit.
 */
final class CpuInt8Matrix extends NativeProductMatrix {
    private final Int8ChannelMatrix reference;
    private final MemorySegment codes;
    private final MemorySegment scales;
    private final boolean w8a8;
    /** One activation row's codes (W8A8), reused: the per-token loop allocates nothing here. */
    private final byte[] qx;
    private long sxAddress;

    CpuInt8Matrix(Int8ChannelMatrix reference, RowPool pool, NativeScratch scratch) {
        this(reference, pool, scratch, new WeightMemory(WeightMemory.Mode.MAPPED));
    }

    /** With the codes read from where {@code memory} places them. */
    CpuInt8Matrix(Int8ChannelMatrix reference, RowPool pool, NativeScratch scratch, WeightMemory memory) {
        // Chunks of 64 KiB to 1 MiB of codes.
        int rows = reference.rows(), cols = reference.cols();
        int minChunk = Math.max(1, Math.min(rows, 64 * 1024 / Math.max(1, cols)));
        super(rows, cols, pool, scratch, rows, minChunk, Math.max(minChunk, 1024 * 1024 / Math.max(1, cols)));
        this.reference = reference;
        if (!reference.codes().isNative()) throw new IllegalArgumentException("int8 codes must be in native memory");
        this.codes = memory.place(reference.codes());
        float[] s = reference.scales();
        this.scales = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, s.length);
        MemorySegment.copy(s, 0, scales, ValueLayout.JAVA_FLOAT, 0, s.length);
        this.w8a8 = reference.int8Activations();
        this.qx = w8a8 ? new byte[cols] : null;
    }

    @Override
    public void row(int r, float[] dst) {
        reference.row(r, dst);
    }

    /** W8A8: each row quantized as the reference does, codes then the n scales; W8A16: the floats. */
    @Override
    protected long activations(float[] x, int n, NativeScratch scratch) {
        if (!w8a8) return super.activations(x, n, scratch);
        MemorySegment q = scratch.q((long) n * cols + 4L * n);
        for (int t = 0; t < n; t++) {
            float sx = Int8ChannelMatrix.quantizeActivations(x, t * cols, cols, qx);
            MemorySegment.copy(qx, 0, q, ValueLayout.JAVA_BYTE, (long) t * cols, cols);
            q.set(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) n * cols + 4L * t, sx);
        }
        this.sxAddress = q.address() + (long) n * cols;
        return q.address();
    }

    @Override
    protected void compute(int from, int to, int worker) {
        int rc = w8a8
                ? NativeKernels.axc_cpu_matmul_i8i8(codes.address(), scales.address(), cols, xAddress, sxAddress, n, yAddress, rows, 0, from, to)
                : NativeKernels.axc_cpu_matmul_i8f(codes.address(), scales.address(), cols, xAddress, n, yAddress, rows, 0, from, to);
        if (rc != 0) throw new IllegalStateException("native int8 product of " + rows + " x " + cols + " refused its arguments");
    }
}
