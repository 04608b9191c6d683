package axc.quant.scheme;

import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class W8A8Test {
    @Test
    void simulationIsTheIntegerProductRescaled() {
        int rows = 5, cols = 40, tokens = 3;
        float[] w = Synthetic.weights(51, rows, cols);
        float[] x = Synthetic.inputs(52, tokens, cols, 4, 1, 10);
        QuantizedMatrix q = Rtn.quantize(w, rows, cols, new Int8PerChannel());
        float[] y = W8A8.simulate(q, x, tokens);
        for (int t = 0; t < tokens; t++) {
            float max = 0;
            for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(x[t * cols + c]));
            float sx = max / 127;
            for (int r = 0; r < rows; r++) {
                long acc = 0;
                for (int c = 0; c < cols; c++) acc += (long) Math.rint(x[t * cols + c] / sx) * q.q()[r * cols + c];
                assertEquals(acc * (double) sx * q.scales()[r], y[t * rows + r], 1e-5 * Math.abs(acc * sx * q.scales()[r]) + 1e-9);
            }
        }
        float[] one = W8A8.simulate(q, java.util.Arrays.copyOf(x, cols));
        for (int r = 0; r < rows; r++) assertEquals(y[r], one[r]);
    }

    @Test
    void int4WeightsAreRefused() {
        QuantizedMatrix q = Rtn.quantize(new float[8], 1, 8, new Int4Group(4, true));
        assertThrows(IllegalArgumentException.class, () -> W8A8.simulate(q, new float[8]));
    }
}
