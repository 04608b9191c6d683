package axc.quant.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CholeskyTest {
    @Test
    void factorReproducesTheMatrixAcrossBlockBoundaries() {
        for (int n : new int[]{1, 7, 128, 129, 300}) {
            double[] a = spd(n, n);
            double[] l = a.clone();
            Cholesky.factorLower(l, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (j > i) assertEquals(0.0, l[i * n + j], "upper triangle is cleared");
                    double s = 0;
                    for (int k = 0; k <= Math.min(i, j); k++) s += l[i * n + k] * l[j * n + k];
                    assertEquals(a[i * n + j], s, 1e-9 * n, "n=" + n + " (" + i + "," + j + ")");
                }
            }
        }
    }

    /**
     * The factor of the same matrix is the same bits on the first call, interpreted, as after the JIT
     * has compiled the dot products: quantized codes must not depend on how warm the JVM is.
     */
    @Test
    void theFactorDoesNotDependOnCompilation() {
        int n = 200;
        double[] a = spd(n, n);
        double[] first = a.clone();
        Cholesky.factorLower(first, n);
        double[] later = null;
        for (int i = 0; i < 60; i++) {
            later = a.clone();
            Cholesky.factorLower(later, n);
        }
        for (int i = 0; i < n * n; i++) assertEquals(Double.doubleToLongBits(first[i]), Double.doubleToLongBits(later[i]), "element " + i);
    }

    @Test
    void indefiniteMatrixIsRefused() {
        double[] a = {1, 2, 2, 1};
        assertThrows(Cholesky.NotPositiveDefiniteException.class, () -> Cholesky.factorLower(a, 2));
    }

    /** {@code B B^T / k + I} for a random {@code n x k} matrix B. */
    static double[] spd(int n, long seed) {
        Random r = new Random(seed);
        int k = n + 3;
        double[] b = new double[n * k];
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += b[i * k + p] * b[j * k + p];
                a[i * n + j] = s / k + (i == j ? 1 : 0);
            }
        return a;
    }
}
