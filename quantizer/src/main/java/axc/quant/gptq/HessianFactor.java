package axc.quant.gptq;

import axc.quant.linalg.Cholesky;

/**
 * The factor of the (permuted, dampened) Hessian that GPTQ's updates need, computed with one
 * Cholesky factorization and no inverse.
 *
 * <p>GPTQ walks the columns with the rows of {@code U}, the upper Cholesky factor of {@code H^-1}
 * ({@code H^-1 = U^T U}). The reference code gets it with three cubic steps (Cholesky, inverse from
 * the factor, Cholesky again). Here: factor the reversed matrix {@code J H J = L L^T} (J reverses the
 * index order); then {@code M = J L J} is upper triangular with {@code H = M M^T}, and {@code U =
 * M^-1} because {@code (M^-1)^T M^-1 = (M M^T)^-1 = H^-1} and a Cholesky factor is unique. {@code U}
 * itself is needed only in diagonal blocks ({@link #inverseBlock}); the updates that cross blocks are
 * expressed through {@code M} (see {@link Gptq}). That is one {@code n^3/6} factorization instead of
 * three, which for the 4864-wide Hessian of an MLP down projection is most of GPTQ's time.
 */
final class HessianFactor {
    private final int n;
    /** {@code M}, upper triangular, float, row-major {@code n x n}: the right-hand side of the lazy updates. */
    private final float[] m;
    /** Diagonal blocks of {@code M} in double, {@code blockSize x blockSize} each, for exact block inverses. */
    private final double[][] diagonalBlocks;
    private final int blockSize;

    /**
     * Factors {@code h} (row-major {@code n x n}, already permuted and dampened; consumed: it is
     * overwritten).
     *
     * @throws Cholesky.NotPositiveDefiniteException if {@code h} is not positive definite
     */
    HessianFactor(double[] h, int n, int blockSize) {
        this.n = n;
        this.blockSize = blockSize;
        reverse(h, n);
        Cholesky.factorLower(h, n);
        // M[i][j] = L[n-1-i][n-1-j]
        m = new float[n * n];
        for (int i = 0; i < n; i++) {
            int lRow = (n - 1 - i) * n + (n - 1);
            int mRow = i * n;
            for (int j = i; j < n; j++) m[mRow + j] = (float) h[lRow - j];
        }
        int blocks = (n + blockSize - 1) / blockSize;
        diagonalBlocks = new double[blocks][];
        for (int k = 0; k < blocks; k++) {
            int i1 = k * blockSize;
            int b = Math.min(n, i1 + blockSize) - i1;
            double[] d = new double[b * b];
            for (int i = 0; i < b; i++) {
                int lRow = (n - 1 - (i1 + i)) * n + (n - 1 - i1);
                for (int j = i; j < b; j++) d[i * b + j] = h[lRow - j];
            }
            diagonalBlocks[k] = d;
        }
    }

    /** {@code M} as row-major {@code n x n} floats (zero below the diagonal). */
    float[] m() {
        return m;
    }

    /**
     * {@code U[B, B]} for the block starting at {@code i1}, written to {@code out} ({@code b x b}
     * row-major): the inverse of the upper-triangular {@code M[B, B]}, which equals the diagonal block
     * of {@code U = M^-1} because M is triangular.
     */
    void inverseBlock(int i1, float[] out) {
        double[] d = diagonalBlocks[i1 / blockSize];
        int b = Math.min(n, i1 + blockSize) - i1;
        double[] u = new double[b * b];
        for (int j = b - 1; j >= 0; j--) {
            u[j * b + j] = 1.0 / d[j * b + j];
            for (int i = j - 1; i >= 0; i--) {
                double s = 0;
                for (int k = i + 1; k <= j; k++) s += d[i * b + k] * u[k * b + j];
                u[i * b + j] = -s / d[i * b + i];
            }
        }
        for (int i = 0; i < b * b; i++) out[i] = (float) u[i];
    }

    /** {@code h <- J h J} in place: element (i, j) swaps with (n-1-i, n-1-j). */
    private static void reverse(double[] h, int n) {
        int total = n * n;
        for (int a = 0, z = total - 1; a < z; a++, z--) {
            double t = h[a];
            h[a] = h[z];
            h[z] = t;
        }
    }
}
