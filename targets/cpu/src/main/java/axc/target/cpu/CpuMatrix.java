package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.reference.Matrix;

import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * A stored weight matrix the cpu target multiplies with its vector kernels ({@link VectorKernels}), the
 * output rows split over a {@link RowPool}. The bytes are the artifact's own (the stored layout; no
 * repacking yet). For {@code n} activation rows each weight row is read once and dotted with every
 * activation row while it is in cache. {@link #row} (embedding lookups) decodes through the
 * interpreter's matrix.
 */
public final class CpuMatrix implements Matrix {
    /** Storage types with a vector kernel. */
    public static final Set<DType> FAST = Set.of(DType.F32, DType.BF16, DType.F16, DType.Q8_0, DType.Q4_0);

    private final MemorySegment data;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final Matrix decoder;
    private final RowPool pool;
    private final RowPool.Job job = this::compute;
    private final int minChunk;
    private float[] x;
    private int n;
    private float[] out;
    private int outStride;
    private int outOff;

    public CpuMatrix(MemorySegment data, DType dtype, int rows, int cols, Matrix decoder, RowPool pool) {
        if (!FAST.contains(dtype)) throw new IllegalArgumentException("no vector kernel for " + dtype);
        if (dtype.isQuantized() && cols % 32 != 0) throw new IllegalArgumentException(dtype + " rows of " + cols + " columns");
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = dtype.bytesFor(cols);
        if (data.byteSize() != rowBytes * rows) throw new IllegalArgumentException("tensor of " + data.byteSize() + " bytes is not " + rows + " x " + cols + " " + dtype);
        this.decoder = decoder;
        this.pool = pool;
        // Chunks of about 64 KiB of weights: enough work to be worth handing to another thread.
        this.minChunk = (int) Math.max(1, Math.min(rows, (64 * 1024) / Math.max(1, rowBytes)));
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void row(int r, float[] dst) {
        decoder.row(r, dst);
    }

    @Override
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out, rows, 0);
    }

    @Override
    public synchronized void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        if (x.length < n * cols || out.length < (n - 1) * outStride + outOff + rows) throw new IllegalArgumentException("matmul buffers too small");
        this.x = x;
        this.n = n;
        this.out = out;
        this.outStride = outStride;
        this.outOff = outOff;
        try {
            pool.run(job, rows, minChunk);
        } finally {
            this.x = null;
            this.out = null;
        }
    }

    private void compute(int from, int to, int worker) {
        compute(dtype, data, rowBytes, cols, x, n, out, outStride, outOff, from, to);
    }

    /** Output rows {@code [from, to)} for every activation row. */
    static void compute(DType dtype, MemorySegment w, long rowBytes, int cols, float[] x, int n, float[] out, int outStride, int outOff, int from, int to) {
        switch (dtype) {
            case F32 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotF32(w, r * rowBytes, x, t * cols, cols);
            }
            case BF16 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotBf16(w, r * rowBytes, x, t * cols, cols);
            }
            case F16 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotF16(w, r * rowBytes, x, t * cols, cols);
            }
            case Q8_0 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotQ8_0(w, r * rowBytes, x, t * cols, cols);
            }
            case Q4_0 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotQ4_0(w, r * rowBytes, x, t * cols, cols);
            }
            default -> throw new IllegalStateException("no vector kernel for " + dtype);
        }
    }
}
