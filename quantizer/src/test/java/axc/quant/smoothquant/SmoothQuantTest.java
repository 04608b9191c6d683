package axc.quant.smoothquant;

import axc.quant.scheme.ChannelScales;
import axc.quant.scheme.Linear;
import axc.quant.scheme.OutputError;
import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmoothQuantTest {
    private static final int COLS = 256, TOKENS = 256;
    /** 4 input channels 50x larger than the rest: the activation outliers of real LLMs. */
    private static final float[] X = Synthetic.inputs(41, TOKENS, COLS, 16, 4, 50);
    private static final List<Linear> GATE_UP = List.of(
            new Linear(Synthetic.weights(42, 96, COLS), 96, COLS),
            new Linear(Synthetic.weights(43, 96, COLS), 96, COLS));

    @Test
    void smoothingBeatsNaiveW8A8OnActivationOutliers() {
        float[] ones = new float[COLS];
        Arrays.fill(ones, 1f);
        double naive = SmoothQuant.apply(GATE_UP, X, TOKENS, 0, ones).error();
        SmoothQuant.Result half = SmoothQuant.smooth(GATE_UP, X, TOKENS, 0.5);
        SmoothQuant.Result searched = SmoothQuant.search(GATE_UP, X, TOKENS);
        System.out.printf("W8A8 naive output error %.4g; SmoothQuant alpha=0.5 %.4g (%.1f%% lower); searched alpha=%.2f %.4g (%.1f%% lower)%n",
                naive, half.error(), 100 * (1 - half.error() / naive), searched.alpha(), searched.error(), 100 * (1 - searched.error() / naive));
        assertTrue(half.error() < 0.5 * naive);
        assertTrue(searched.error() <= half.error());
        assertEquals(2, searched.weights().size());
    }

    @Test
    void foldingIdentityHolds() {
        float[] s = SmoothQuant.smooth(GATE_UP, X, TOKENS, 0.5).scales();
        float[] xs = ChannelScales.divideColumns(X, TOKENS, s);
        for (Linear l : GATE_UP) {
            float[] want = OutputError.forward(l.weight(), l.rows(), COLS, X, TOKENS);
            float[] got = OutputError.forward(ChannelScales.scaleColumns(l, s), l.rows(), COLS, xs, TOKENS);
            double scale = 0;
            for (float v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * scale);
        }
    }

    @Test
    void factorsFollowTheFormula() {
        float[] s = SmoothQuant.factors(new float[]{4, 0, 9}, new float[]{1, 2, 0}, 0.5);
        assertEquals(2f, s[0], 1e-6);
        assertEquals((float) (Math.sqrt(1e-5) / Math.sqrt(2)), s[1], 1e-7);
        assertEquals((float) (3 / Math.sqrt(1e-5)), s[2], 1e-2);
    }
}
