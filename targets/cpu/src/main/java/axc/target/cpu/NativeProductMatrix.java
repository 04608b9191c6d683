package axc.target.cpu;

import axc.reference.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A matrix whose products run on a native kernel over the {@link RowPool}: the activation rows go to
 * the {@link NativeScratch} once, every worker writes its outputs there, and they come back in one
 * copy per activation row. Subclasses say how the activations are handed over ({@link #activations})
 * and run the kernel on a range of work units ({@link #compute}).
 */
abstract class NativeProductMatrix implements Matrix {
    protected final int rows;
    protected final int cols;
    private final RowPool pool;
    private final NativeScratch scratch;
    private final RowPool.Job job = this::compute;
    /** Activation rows of the product under way, and the native addresses its workers read and write. */
    protected int n;
    protected long xAddress;
    protected long yAddress;

    NativeProductMatrix(int rows, int cols, RowPool pool, NativeScratch scratch) {
        this.rows = rows;
        this.cols = cols;
        this.pool = pool;
        this.scratch = scratch;
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
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out, rows, 0);
    }

    @Override
    public synchronized void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        if (x.length < n * cols || out.length < (n - 1) * outStride + outOff + rows) throw new IllegalArgumentException("matmul buffers too small");
        synchronized (scratch) {
            MemorySegment ys = scratch.y((long) n * rows);
            this.n = n;
            this.yAddress = ys.address();
            this.xAddress = activations(x, n, scratch);
            runOnPool(pool);
            for (int t = 0; t < n; t++) MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT, 4L * t * rows, out, t * outStride + outOff, rows);
        }
    }

    /** The n activation rows where the kernel reads them: by default the floats, copied to the scratch. */
    protected long activations(float[] x, int n, NativeScratch scratch) {
        MemorySegment xs = scratch.x((long) n * cols);
        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, n * cols);
        return xs.address();
    }

    /** Splits the product's work over the pool, each piece to {@link #compute}. */
    protected abstract void runOnPool(RowPool pool);

    /** Work units {@code [from, to)} of the product under way, on one worker. */
    protected abstract void compute(int from, int to, int worker);

    /** The job {@link #runOnPool} hands the pool. */
    protected RowPool.Job job() {
        return job;
    }
}
