package axc.target.cpu;

import axc.reference.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A matrix whose products run on a native kernel over the {@link RowPool}: the activation rows go to
 * the {@link NativeScratch} once, every worker writes its outputs there, and they come back in one
 * copy per activation row. A product is {@code units} units of work (rows, or bands of rows) handed to
 * the pool in chunks of {@code minUnits} to {@code maxUnits}. Subclasses say how the activations are
 * handed over ({@link #activations}) and run the kernel on a range of units ({@link #compute}).
 */
abstract class NativeProductMatrix implements Matrix {
    protected final int rows;
    protected final int cols;
    private final RowPool pool;
    private final NativeScratch scratch;
    private final RowPool.Job job = this::compute;
    private final int units;
    private final int minUnits;
    private final int maxUnits;
    /** Activation rows of the product under way, and the native addresses its workers read and write. */
    protected int n;
    protected long xAddress;
    protected long yAddress;

    NativeProductMatrix(int rows, int cols, RowPool pool, NativeScratch scratch, int units, int minUnits, int maxUnits) {
        this.rows = rows;
        this.cols = cols;
        this.pool = pool;
        this.scratch = scratch;
        this.units = units;
        this.minUnits = minUnits;
        this.maxUnits = maxUnits;
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
            pool.run(job, units, minUnits, maxUnits);
            for (int t = 0; t < n; t++) MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT, 4L * t * rows, out, t * outStride + outOff, rows);
        }
    }

    /** The n activation rows where the kernel reads them: by default the floats, copied to the scratch. */
    protected long activations(float[] x, int n, NativeScratch scratch) {
        MemorySegment xs = scratch.x((long) n * cols);
        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, n * cols);
        return xs.address();
    }

    /** Work units {@code [from, to)} of the product under way, on one worker. */
    protected abstract void compute(int from, int to, int worker);
}
