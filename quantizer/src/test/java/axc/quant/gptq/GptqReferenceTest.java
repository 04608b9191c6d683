package axc.quant.gptq;

import axc.quant.scheme.Int4Group;
import axc.quant.scheme.IntGrid;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds the blocked, inverse-free {@link Gptq} against the algorithm as the paper writes it: form
 * {@code H^-1}, take its upper Cholesky factor, and update every later column after each column,
 * all in double.
 */
class GptqReferenceTest {
    @Test
    void matchesTheUnblockedTextbookAlgorithm() {
        int rows = 16, cols = 200, tokens = 600;
        float[] w = Synthetic.weights(21, rows, cols);
        float[] x = Synthetic.inputs(22, tokens, cols, 12, 3, 15);
        HessianAccumulator acc = new HessianAccumulator(cols);
        acc.add(x, tokens);
        double[] h = acc.hessian();
        for (boolean actOrder : new boolean[]{false, true}) {
            for (QuantScheme s : new QuantScheme[]{new Int4Group(32, false), new Int4Group(64, true)}) {
                QuantizedMatrix fast = new Gptq(0.01, actOrder).quantize(w, rows, cols, h, s);
                float[] expected = textbook(w, rows, cols, h, s, 0.01, actOrder);
                float[] got = fast.dequantize();
                int same = 0;
                for (int i = 0; i < got.length; i++) if (Math.abs(got[i] - expected[i]) < 1e-5) same++;
                double agreement = same / (double) got.length;
                assertTrue(agreement > 0.995, s.name() + " act-order=" + actOrder + ": " + agreement);
            }
        }
    }

    /** Dequantized GPTQ result, computed the direct way. */
    static float[] textbook(float[] w0, int rows, int n, double[] h0, QuantScheme scheme, double percDamp, boolean actOrder) {
        IntGrid grid = IntGrid.of(scheme);
        int gs = IntGrid.groupSize(scheme, n);
        double[] diag = new double[n];
        for (int i = 0; i < n; i++) diag[i] = h0[i * n + i] == 0 ? 1 : h0[i * n + i];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (actOrder) Arrays.sort(order, Comparator.comparingDouble((Integer i) -> diag[i]).reversed());
        double mean = Arrays.stream(diag).average().orElseThrow();
        double[][] h = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) h[i][j] = h0[order[i] * n + order[j]];
            h[i][i] = diag[order[i]] + percDamp * mean;
        }
        double[][] hinv = invert(h);
        double[][] l = cholesky(hinv); // hinv = L L^T, so U = L^T
        double[][] wk = new double[rows][n];
        for (int r = 0; r < rows; r++) for (int i = 0; i < n; i++) wk[r][i] = w0[r * n + order[i]];
        float[] out = new float[rows * n];
        for (int r = 0; r < rows; r++) {
            float scale = 1;
            int zero = 0;
            for (int i = 0; i < n; i++) {
                if (i % gs == 0) {
                    float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
                    for (int c = i; c < Math.min(n, i + gs); c++) {
                        min = Math.min(min, (float) wk[r][c]);
                        max = Math.max(max, (float) wk[r][c]);
                    }
                    scale = grid.scale(min, max);
                    zero = grid.zero(min, scale);
                }
                float dq = IntGrid.dequantize(grid.quantize((float) wk[r][i], scale, zero), scale, zero);
                out[r * n + order[i]] = dq;
                double err = (wk[r][i] - dq) / l[i][i];
                for (int j = i + 1; j < n; j++) wk[r][j] -= err * l[j][i];
            }
        }
        return out;
    }

    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) m[c][j] /= d;
            for (int i = 0; i < n; i++) {
                if (i == c || m[i][c] == 0) continue;
                double f = m[i][c];
                for (int j = 0; j < 2 * n; j++) m[i][j] -= f * m[c][j];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inv[i], 0, n);
        return inv;
    }

    private static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
            }
        return l;
    }
}
