package axc.quant.gptq;

import axc.quant.linalg.Gemm;

/**
 * Accumulates GPTQ's layer Hessian {@code H = 2 X^T X / n} over batches of calibration inputs, in
 * double precision: the sum of many small outer products loses digits in float, and the Cholesky
 * factorization downstream amplifies whatever was lost.
 *
 * <p>Only the sum {@code X^T X} and the row count are kept, so batches of any size can be added in any
 * order; the product of each batch runs through {@link Gemm}.
 */
public final class HessianAccumulator {
    private final int cols;
    private final double[] sum;
    private long count;

    /** An empty accumulator for inputs of {@code cols} channels (the layer's input width). */
    public HessianAccumulator(int cols) {
        if (cols <= 0) throw new IllegalArgumentException("cols must be positive: " + cols);
        this.cols = cols;
        this.sum = new double[cols * cols];
    }

    public int cols() {
        return cols;
    }

    /** Rows added so far. */
    public long count() {
        return count;
    }

    /** Adds {@code n} input rows {@code x[t*cols + c]} (tokens x channels, row-major). */
    public void add(float[] x, int n) {
        if (x.length < (long) n * cols) throw new IllegalArgumentException("x has fewer than " + n + " rows of " + cols);
        double[] rows = new double[n * cols];
        double[] transposed = new double[n * cols];
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < cols; c++) {
                double v = x[t * cols + c];
                rows[t * cols + c] = v;
                transposed[c * n + t] = v;
            }
        }
        Gemm.multiplyAdd(cols, cols, n, transposed, 0, n, rows, 0, cols, sum, 0, cols);
        count += n;
    }

    /** {@code 2 X^T X / n} as a new {@code cols x cols} row-major array; all zeros before any input. */
    public double[] hessian() {
        double[] h = new double[cols * cols];
        if (count == 0) return h;
        double f = 2.0 / count;
        for (int i = 0; i < h.length; i++) h[i] = sum[i] * f;
        return h;
    }
}
