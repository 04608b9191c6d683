package axc.quant.gptq;

import axc.quant.scheme.Int4Group;
import axc.quant.scheme.Int8PerChannel;
import axc.quant.scheme.OutputError;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.scheme.Rtn;
import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptqTest {
    private static final int ROWS = 64, COLS = 512, TOKENS = 2048;
    private static final float[] W = Synthetic.weights(11, ROWS, COLS);
    private static final float[] X = Synthetic.inputs(12, TOKENS, COLS, 24, 6, 20);
    private static final double[] H = hessian(X, TOKENS, COLS);

    @Test
    void identityHessianGivesExactlyRtn() {
        double[] identity = new double[COLS * COLS];
        for (int i = 0; i < COLS; i++) identity[i * COLS + i] = 1;
        for (QuantScheme s : List.of(new Int4Group(128, true), new Int4Group(128, false), new Int4Group(32, false), new Int8PerChannel())) {
            QuantizedMatrix rtn = Rtn.quantize(W, ROWS, COLS, s);
            for (boolean actOrder : new boolean[]{false, true}) {
                QuantizedMatrix g = Gptq.defaults().withActOrder(actOrder).quantize(W, ROWS, COLS, identity, s);
                assertArrayEquals(rtn.q(), g.q(), s.name());
                assertArrayEquals(rtn.scales(), g.scales(), s.name());
                assertArrayEquals(rtn.zeros(), g.zeros(), s.name());
                assertArrayEquals(rtn.groupIndex(), g.groupIndex(), s.name());
            }
        }
    }

    @Test
    void outputErrorIsWellBelowRtnOnCorrelatedInputsWithOutliers() {
        for (QuantScheme s : List.of(new Int4Group(128, true), new Int4Group(128, false), new Int8PerChannel())) {
            double rtn = error(Rtn.quantize(W, ROWS, COLS, s));
            for (boolean actOrder : new boolean[]{false, true}) {
                double gptq = error(Gptq.defaults().withActOrder(actOrder).quantize(W, ROWS, COLS, H, s));
                double reduction = 1 - gptq / rtn;
                System.out.printf("GPTQ %-14s act-order=%-5s output error %.4g vs RTN %.4g: %.1f%% lower%n",
                        s.name(), actOrder, gptq, rtn, 100 * reduction);
                assertTrue(reduction >= 0.2, s.name() + " act-order=" + actOrder + ": only " + reduction);
            }
        }
    }

    @Test
    void actOrderGroupsFollowDescendingHessianDiagonal() {
        int gs = 64;
        QuantizedMatrix g = Gptq.defaults().withActOrder(true).quantize(W, ROWS, COLS, H, new Int4Group(gs, false));
        Integer[] order = new Integer[COLS];
        for (int c = 0; c < COLS; c++) order[c] = c;
        Arrays.sort(order, (a, b) -> Double.compare(H[b * COLS + b], H[a * COLS + a]));
        for (int pos = 0; pos < COLS; pos++) assertEquals(pos / gs, g.groupIndex()[order[pos]], "column " + order[pos]);
        int[] sizes = new int[g.groups()];
        for (int gi : g.groupIndex()) sizes[gi]++;
        for (int size : sizes) assertEquals(gs, size);
        // Every column dequantizes through its own group's scale: each weight stays near its original.
        float[] d = g.dequantize();
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                float scale = g.scales()[r * g.groups() + g.groupIndex()[c]];
                assertTrue(Math.abs(d[r * COLS + c] - W[r * COLS + c]) < 12 * scale, "(" + r + "," + c + ")");
            }
        }
    }

    @Test
    void deadInputColumnsQuantizeToZero() {
        double[] h = H.clone();
        int dead = 5;
        for (int j = 0; j < COLS; j++) {
            h[dead * COLS + j] = 0;
            h[j * COLS + dead] = 0;
        }
        QuantizedMatrix g = Gptq.defaults().quantize(W, ROWS, COLS, h, new Int4Group(128, false));
        float[] d = g.dequantize();
        for (int r = 0; r < ROWS; r++) assertEquals(0f, d[r * COLS + dead]);
    }

    private static double error(QuantizedMatrix q) {
        return OutputError.squared(W, q.dequantize(), ROWS, COLS, X, TOKENS);
    }

    private static double[] hessian(float[] x, int tokens, int cols) {
        HessianAccumulator acc = new HessianAccumulator(cols);
        acc.add(x, tokens);
        return acc.hessian();
    }
}
