package axc.quant.gptq;

import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HessianAccumulatorTest {
    @Test
    void batchesAddUpToTwiceTheMeanOuterProduct() {
        int n = 37, cols = 19;
        float[] x = Synthetic.inputs(3, n, cols, 4, 1, 10);
        HessianAccumulator acc = new HessianAccumulator(cols);
        acc.add(Arrays.copyOfRange(x, 0, 10 * cols), 10);
        acc.add(Arrays.copyOfRange(x, 10 * cols, n * cols), n - 10);
        double[] h = acc.hessian();
        assertEquals(n, acc.count());
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int t = 0; t < n; t++) s += (double) x[t * cols + i] * x[t * cols + j];
                assertEquals(2 * s / n, h[i * cols + j], 1e-9 * (1 + Math.abs(s)));
            }
    }
}
