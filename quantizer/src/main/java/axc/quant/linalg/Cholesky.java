package axc.quant.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * In-place Cholesky factorization {@code A = L L^T} of a symmetric positive definite matrix, in
 * double precision.
 *
 * <p>Blocked right-looking: factor a diagonal block of {@value #NB} columns, solve the panel below it,
 * then subtract the panel's outer product from the trailing matrix with {@link Gemm}. Almost all of the
 * {@code n^3/6} multiply-adds are in that last step, which runs at matrix-multiply speed instead of the
 * memory-bound speed of the textbook row-by-row loop (for n = 4864 the difference is minutes vs.
 * seconds).
 */
public final class Cholesky {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int NB = 128;
    /** Trailing-update rows per parallel task. */
    private static final int BAND = 64;

    private Cholesky() {
    }

    /** Thrown when a pivot is not positive: the matrix is not (numerically) positive definite. */
    public static final class NotPositiveDefiniteException extends ArithmeticException {
        public NotPositiveDefiniteException(int column, double pivot) {
            super("matrix is not positive definite: pivot " + pivot + " at column " + column);
        }
    }

    /**
     * Replaces {@code a} ({@code n x n}, row-major; only the lower triangle is read) by its lower
     * Cholesky factor L, with the strict upper triangle set to 0.
     *
     * @throws NotPositiveDefiniteException if a pivot is not positive
     */
    public static void factorLower(double[] a, int n) {
        if (a.length != (long) n * n) throw new IllegalArgumentException("a is not " + n + " x " + n);
        double[] packed = new double[NB * n];
        for (int k0 = 0; k0 < n; k0 += NB) {
            int k1 = Math.min(n, k0 + NB);
            factorDiagonalBlock(a, n, k0, k1);
            solvePanel(a, n, k0, k1);
            updateTrailing(a, n, k0, k1, packed);
        }
        for (int i = 0; i < n; i++) java.util.Arrays.fill(a, i * n + i + 1, (i + 1) * n, 0.0);
    }

    private static void factorDiagonalBlock(double[] a, int n, int k0, int k1) {
        double[] lanes = new double[D.length()];
        for (int i = k0; i < k1; i++) {
            for (int j = k0; j <= i; j++) {
                double s = a[i * n + j] - dot(a, i * n + k0, a, j * n + k0, j - k0, lanes);
                if (i == j) {
                    if (!(s > 0)) throw new NotPositiveDefiniteException(i, s);
                    a[i * n + i] = Math.sqrt(s);
                } else {
                    a[i * n + j] = s / a[j * n + j];
                }
            }
        }
    }

    /** Rows below the diagonal block: {@code L[i, K] = A[i, K] L[K, K]^-T}, each row on its own. */
    private static void solvePanel(double[] a, int n, int k0, int k1) {
        IntStream.range(0, (n - k1 + BAND - 1) / BAND).parallel().forEach(t -> {
            int end = Math.min(n, k1 + (t + 1) * BAND);
            double[] lanes = new double[D.length()];
            for (int i = k1 + t * BAND; i < end; i++) {
                for (int j = k0; j < k1; j++) {
                    double s = a[i * n + j] - dot(a, i * n + k0, a, j * n + k0, j - k0, lanes);
                    a[i * n + j] = s / a[j * n + j];
                }
            }
        });
    }

    /** {@code A[i, j] -= L[i, K] . L[j, K]} for {@code k1 <= j <= i}, through a packed, negated transpose of the panel. */
    private static void updateTrailing(double[] a, int n, int k0, int k1, double[] packed) {
        int rest = n - k1;
        if (rest <= 0) return;
        int nb = k1 - k0;
        for (int j = 0; j < rest; j++) {
            int row = (k1 + j) * n + k0;
            for (int m = 0; m < nb; m++) packed[m * rest + j] = -a[row + m];
        }
        IntStream.range(0, (rest + BAND - 1) / BAND).parallel().forEach(t -> {
            int i0 = k1 + t * BAND;
            int i1 = Math.min(n, i0 + BAND);
            // Columns up to the band's last row: the lower triangle plus a little of the upper, which
            // nothing reads and the final pass clears.
            Gemm.multiplyAdd(i1 - i0, i1 - k1, nb, a, i0 * n + k0, n, packed, 0, rest, a, i0 * n + k1, n);
        });
    }

    /**
     * {@code sum x[xo..xo+len) * y[yo..yo+len)}. The lanes are added first to last through
     * {@code lanes}: {@code reduceLanes(ADD)} adds in another order once C2 has compiled it, and the
     * factor, so the quantized codes, would then depend on how far the JIT had got.
     */
    static double dot(double[] x, int xo, double[] y, int yo, int len, double[] lanes) {
        int i = 0;
        double s = 0;
        if (len >= D.length()) {
            DoubleVector acc = DoubleVector.zero(D);
            for (; i + D.length() <= len; i += D.length()) {
                acc = DoubleVector.fromArray(D, x, xo + i).fma(DoubleVector.fromArray(D, y, yo + i), acc);
            }
            acc.intoArray(lanes, 0);
            for (double v : lanes) s += v;
        }
        for (; i < len; i++) s += x[xo + i] * y[yo + i];
        return s;
    }
}
