package axc.quant.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GemmTest {
    @Test
    void floatProductMatchesNaiveOnOddShapesAndOffsets() {
        Random r = new Random(1);
        for (int[] s : new int[][]{{1, 1, 1}, {5, 33, 7}, {37, 300, 129}, {130, 70, 3}}) {
            int m = s[0], n = s[1], k = s[2];
            int lda = k + 3, ldb = n + 5, ldc = n + 2;
            float[] a = new float[2 + m * lda], b = new float[1 + k * ldb], c = new float[4 + m * ldc];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
            float[] expected = c.clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) acc += a[2 + i * lda + p] * b[1 + p * ldb + j];
                    expected[4 + i * ldc + j] += (float) acc;
                }
            Gemm.multiplyAdd(m, n, k, a, 2, lda, b, 1, ldb, c, 4, ldc);
            for (int i = 0; i < c.length; i++) assertEquals(expected[i], c[i], 1e-4 * (1 + Math.abs(expected[i])), "at " + i);
        }
    }

    @Test
    void doubleProductMatchesNaive() {
        Random r = new Random(2);
        int m = 41, n = 77, k = 150;
        double[] a = new double[m * k], b = new double[k * n], c = new double[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        Gemm.multiplyAdd(m, n, k, a, 0, k, b, 0, n, c, 0, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) acc += a[i * k + p] * b[p * n + j];
                assertEquals(acc, c[i * n + j], 1e-10);
            }
    }
}
