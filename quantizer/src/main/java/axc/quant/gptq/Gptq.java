package axc.quant.gptq;

import axc.quant.linalg.Gemm;
import axc.quant.scheme.IntGrid;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.QuantizedMatrix;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * GPTQ (Frantar et al., 2022): quantizes a weight matrix one input column at a time and, after each
 * column, moves its rounding error onto the columns not yet quantized, in the proportions the layer's
 * input Hessian {@code H = 2 X^T X / n} says minimise the output error {@code ||(W - Q) X^T||^2}.
 *
 * <p>What it does, in the reference implementation's order:
 * <ol>
 *   <li><b>Dead columns</b>: an input channel that was always 0 has {@code H_ii = 0}; it gets
 *       {@code H_ii = 1} and its weights are set to 0 (they can never matter).</li>
 *   <li><b>Act-order</b> (optional): columns are processed by descending {@code H_ii}, the channels
 *       with the most input energy first, while most columns are still free to absorb their error.
 *       Groups are runs of {@code groupSize} columns <em>in that order</em> and each group's scale and
 *       zero are fitted when its first column is reached, from the weights as updated so far (the
 *       reference's {@code static_groups=False}). {@link QuantizedMatrix#groupIndex()} is then the
 *       {@code g_idx} mapping each original column to its group; levels are stored un-permuted.</li>
 *   <li><b>Dampening</b>: {@code percDamp * mean(diag H)} is added to the diagonal, which keeps the
 *       factorization stable when calibration data leave directions unexplored.</li>
 *   <li><b>Column sweep</b> with the upper Cholesky factor {@code U} of {@code H^-1}: column {@code i}
 *       is rounded, {@code err = (w_i - q_i) / U_ii}, and {@code err * U[i, i+1..]} is subtracted from
 *       the later columns. Lazily: inside a block of {@value #BLOCK} columns updates are applied one
 *       column at a time; updates to later blocks are gathered and applied as one matrix product.</li>
 * </ol>
 *
 * <p>Two departures in <em>how</em>, not <em>what</em>. {@code U} is never formed: see
 * {@link HessianFactor}, which gives {@code H = M M^T} with {@code U = M^-1}. With that, the total
 * update that earlier blocks make to a block {@code B} is {@code (W - Q)[:, <B] * M[<B, B] * U[B, B]}
 * (from {@code U12 = -U11 M12 U22} and {@code (W - Q) = E U}, E the matrix of the {@code err} values),
 * so the sweep needs only M and the diagonal blocks of U. And the block is widened to a multiple of
 * the group size when groups are not a divisor of {@value #BLOCK}, so that a group never straddles
 * blocks and its scale is always fitted from fully updated weights (with 128-column groups this is
 * exactly the reference; with 32 or 64 the reference fits later groups of a block from the values at
 * the block's start).
 *
 * <p>With {@code H} a multiple of the identity no error moves and the result is exactly
 * {@link axc.quant.scheme.Rtn}'s.
 *
 * <p>Precision: the Hessian and its factorization are double; the sweep over weights is float, like
 * the weights themselves.
 *
 * @param percDamp dampening as a fraction of the mean diagonal of H (the reference default is 0.01)
 * @param actOrder process columns by descending {@code H_ii}
 */
public record Gptq(double percDamp, boolean actOrder) {
    /** The reference implementation's block of lazily updated columns. */
    static final int BLOCK = 128;
    private static final int ROWS_PER_TASK = 16;

    public Gptq {
        if (!(percDamp >= 0)) throw new IllegalArgumentException("percDamp must be >= 0: " + percDamp);
    }

    /** {@code percDamp = 0.01}, no act-order. */
    public static Gptq defaults() {
        return new Gptq(0.01, false);
    }

    /** The same settings with act-order on or off. */
    public Gptq withActOrder(boolean on) {
        return new Gptq(percDamp, on);
    }

    /**
     * Quantizes {@code w} ({@code rows x cols}, row-major, not modified) to {@code scheme}'s weight
     * grid.
     *
     * @param hessian {@code cols x cols} row-major, e.g. from {@link HessianAccumulator#hessian()}; not modified
     * @throws ArithmeticException if the dampened Hessian is not positive definite (raise {@code percDamp})
     */
    public QuantizedMatrix quantize(float[] w, int rows, int cols, double[] hessian, QuantScheme scheme) {
        if (w.length != (long) rows * cols) throw new IllegalArgumentException("w is not " + rows + " x " + cols);
        if (hessian.length != (long) cols * cols) throw new IllegalArgumentException("hessian is not " + cols + " x " + cols);
        int n = cols;
        IntGrid grid = IntGrid.of(scheme);
        int gs = IntGrid.groupSize(scheme, cols);
        int groups = QuantizedMatrix.groupCount(cols, gs);
        int block = gs >= n ? BLOCK : gs * Math.max(1, BLOCK / gs);

        double[] diag = new double[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            diag[i] = hessian[i * n + i];
            dead[i] = diag[i] == 0;
            if (dead[i]) diag[i] = 1;
        }
        int[] perm = actOrder ? descending(diag) : IntStream.range(0, n).toArray();

        // Permuted, dampened Hessian; HessianFactor consumes it.
        double[] h = new double[n * n];
        double mean = 0;
        for (int i = 0; i < n; i++) mean += diag[i];
        double damp = percDamp * mean / n;
        for (int i = 0; i < n; i++) {
            int src = perm[i] * n;
            for (int j = 0; j < n; j++) h[i * n + j] = hessian[src + perm[j]];
            h[i * n + i] = diag[perm[i]] + damp;
        }
        HessianFactor factor = new HessianFactor(h, n, block);
        h = null;
        float[] m = factor.m();

        float[] original = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) original[r * n + i] = dead[perm[i]] ? 0f : w[r * n + perm[i]];
        }
        float[] work = original.clone();
        float[] residual = new float[rows * n];   // (W - Q), the error already committed
        float[] pending = new float[rows * n];    // (W - Q)[:, <B] * M[<B, :], not yet applied
        byte[] q = new byte[rows * n];
        float[] scales = new float[rows * groups];
        byte[] zeros = new byte[rows * groups];
        float[] u = new float[block * block];

        for (int i1 = 0; i1 < n; i1 += block) {
            int i2 = Math.min(n, i1 + block);
            int b = i2 - i1;
            factor.inverseBlock(i1, u);
            if (i1 > 0) Gemm.multiplyAdd(rows, b, b, pending, i1, n, u, 0, b, work, i1, n);
            int from = i1;
            IntStream.range(0, (rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK).parallel().forEach(t -> {
                int end = Math.min(rows, (t + 1) * ROWS_PER_TASK);
                for (int r = t * ROWS_PER_TASK; r < end; r++) {
                    sweepRow(r, from, i2, n, gs, groups, grid, u, b, original, work, residual, q, scales, zeros);
                }
            });
            if (i2 < n) Gemm.multiplyAdd(rows, n - i2, b, residual, i1, n, m, i1 * n + i2, n, pending, i2, n);
        }

        byte[] levels = new byte[rows * n];
        int[] groupIndex = new int[n];
        for (int i = 0; i < n; i++) groupIndex[perm[i]] = i / gs;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) levels[r * n + perm[i]] = q[r * n + i];
        }
        return new QuantizedMatrix(scheme, rows, cols, gs, levels, scales, zeros, groupIndex);
    }

    /**
     * Quantizes columns {@code [i1, i2)} of row {@code r}, each column's error spread over the rest of
     * the block through {@code u = U[B, B]}.
     */
    private static void sweepRow(int r, int i1, int i2, int n, int gs, int groups, IntGrid grid, float[] u, int b,
                                 float[] original, float[] work, float[] residual, byte[] q, float[] scales,
                                 byte[] zeros) {
        int row = r * n;
        float scale = 0;
        int zero = 0;
        if (i1 % gs != 0) {
            int s = r * groups + i1 / gs;
            scale = scales[s];
            zero = zeros[s];
        }
        for (int i = 0; i < i2 - i1; i++) {
            int col = i1 + i;
            if (col % gs == 0) {
                int end = Math.min(n, col + gs);
                float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
                for (int c = col; c < end; c++) {
                    min = Math.min(min, work[row + c]);
                    max = Math.max(max, work[row + c]);
                }
                scale = grid.scale(min, max);
                zero = grid.zero(min, scale);
                int s = r * groups + col / gs;
                scales[s] = scale;
                zeros[s] = (byte) zero;
            }
            float x = work[row + col];
            int level = grid.quantize(x, scale, zero);
            float dq = IntGrid.dequantize(level, scale, zero);
            q[row + col] = (byte) level;
            residual[row + col] = original[row + col] - dq;
            float err = (x - dq) / u[i * b + i];
            int uRow = i * b;
            for (int j = i + 1; j < i2 - i1; j++) work[row + i1 + j] -= err * u[uRow + j];
        }
    }

    /** Column order by descending {@code diag}, ties by index. */
    private static int[] descending(double[] diag) {
        Integer[] order = new Integer[diag.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> diag[i]).reversed());
        int[] perm = new int[order.length];
        for (int i = 0; i < perm.length; i++) perm[i] = order[i];
        return perm;
    }
}
