package axc.quant.awq;

import axc.quant.scheme.ChannelScales;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.Linear;
import axc.quant.scheme.OutputError;
import axc.quant.scheme.Rtn;
import axc.quant.testing.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AwqTest {
    private static final int COLS = 512, TOKENS = 512;
    private static final Int4Group SCHEME = new Int4Group(128, false);
    /** Hidden states with 6 channels 20x larger than the rest, as after a real RMSNorm. */
    private static final float[] X = Synthetic.inputs(31, TOKENS, COLS, 32, 6, 20);

    @Test
    void beatsRtnOnAGroupOfLayersSharingAnInput() {
        List<Linear> qkv = List.of(
                new Linear(Synthetic.weights(32, 128, COLS), 128, COLS),
                new Linear(Synthetic.weights(33, 32, COLS), 32, COLS),
                new Linear(Synthetic.weights(34, 32, COLS), 32, COLS));
        double rtn = 0;
        for (Linear l : qkv) rtn += rtnError(l);
        Awq.Result scalesOnly = Awq.defaults().withClip(false).quantize(qkv, X, TOKENS, SCHEME);
        Awq.Result full = Awq.defaults().quantize(qkv, X, TOKENS, SCHEME);
        report("q/k/v scales only", scalesOnly, rtn);
        report("q/k/v scales+clip", full, rtn);
        assertTrue(scalesOnly.alpha() > 0, "a non-trivial scale wins on outlier inputs");
        assertTrue(scalesOnly.error() < 0.8 * rtn);
        assertTrue(full.error() <= scalesOnly.error() * 1.001);
        assertEquals(3, full.quantized().size());
        assertEquals(128 * 4, full.clipMax().getFirst().length);
    }

    @Test
    void beatsRtnOnASingleLayer() {
        Linear l = new Linear(Synthetic.weights(35, 96, COLS), 96, COLS);
        double rtn = rtnError(l);
        Awq.Result r = Awq.defaults().quantize(List.of(l), X, TOKENS, SCHEME);
        report("single layer", r, rtn);
        assertTrue(r.error() < 0.8 * rtn);
        // The reported error is the error of the returned levels, applied to x / s.
        float[] w = r.quantized().getFirst().dequantize();
        float[] unscaled = new float[w.length];
        for (int i = 0; i < w.length; i++) unscaled[i] = w[i] / r.scales()[i % COLS];
        assertEquals(r.error(), OutputError.squared(l.weight(), unscaled, 96, COLS, X, TOKENS), 1e-3 * r.error());
    }

    @Test
    void foldingScalesIntoTheNormKeepsTheProduct() {
        Random rnd = new Random(36);
        int rows = 48;
        Linear l = new Linear(Synthetic.weights(37, rows, COLS), rows, COLS);
        float[] norm = new float[COLS];
        for (int c = 0; c < COLS; c++) norm[c] = (float) (0.5 + rnd.nextDouble());
        float[] s = Awq.defaults().withClip(false).quantize(List.of(l), X, TOKENS, SCHEME).scales();
        float[] foldedNorm = ChannelScales.divideNorm(norm, s);
        float[] scaled = ChannelScales.scaleColumns(l, s);
        for (int t = 0; t < 16; t++) {
            double ss = 0;
            for (int c = 0; c < COLS; c++) ss += (double) X[t * COLS + c] * X[t * COLS + c];
            float inv = (float) (1 / Math.sqrt(ss / COLS + 1e-6));
            for (int r = 0; r < rows; r++) {
                double original = 0, folded = 0, magnitude = 0;
                for (int c = 0; c < COLS; c++) {
                    float h = X[t * COLS + c] * inv;
                    original += (h * norm[c]) * l.weight()[r * COLS + c];
                    folded += (h * foldedNorm[c]) * scaled[r * COLS + c];
                    magnitude += Math.abs((h * norm[c]) * l.weight()[r * COLS + c]);
                }
                assertEquals(original, folded, 1e-6 * magnitude);
            }
        }
    }

    private static double rtnError(Linear l) {
        return OutputError.squared(l.weight(), Rtn.quantize(l.weight(), l.rows(), COLS, SCHEME).dequantize(), l.rows(), COLS, X, TOKENS);
    }

    private static void report(String what, Awq.Result r, double rtn) {
        System.out.printf("AWQ %-18s alpha=%.2f output error %.4g vs RTN %.4g: %.1f%% lower%n",
                what, r.alpha(), r.error(), rtn, 100 * (1 - r.error() / rtn));
    }
}
