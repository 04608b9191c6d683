package axc.quant.smoothquant;

import axc.quant.scheme.ChannelScales;
import axc.quant.scheme.ChannelStats;
import axc.quant.scheme.Linear;
import axc.quant.scheme.OutputError;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.scheme.Rtn;
import axc.quant.scheme.W8A8;

import java.util.ArrayList;
import java.util.List;

/**
 * SmoothQuant (Xiao et al., 2022): makes activations easy to quantize to int8 per token by moving
 * their per-channel outliers into the weights, {@code x W^T = (x / s) (W diag(s))^T}, with
 *
 * <pre>  s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)</pre>
 *
 * where {@code max|X_j|} is over calibration tokens and {@code max|W_j|} over the rows of every layer
 * reading that input. {@code alpha} sets how much of the difficulty migrates: 0 leaves activations
 * alone, 1 flattens them completely onto the weights. Both maxima are raised to at least 1e-5, and s
 * too, as in the reference, so silent channels do not produce infinities.
 *
 * <p>The layers are then quantized for {@link W8A8}: weights int8 per output row; activations int8
 * per token at run time. The {@code 1/s} half is folded into what produces the input (see {@link
 * ChannelScales}).
 */
public final class SmoothQuant {
    private static final float FLOOR = 1e-5f;

    private SmoothQuant() {
    }

    /**
     * What smoothing chose and produced.
     *
     * @param alpha the migration strength used
     * @param scales per-input-channel {@code s}: weights were multiplied by it, the input must be divided by it
     * @param weights per layer, the int8 {@code W diag(s)} (scheme {@link W8A8})
     * @param error {@code sum_layers ||X W^T - W8A8(X / s, Q)||^2} on the calibration inputs
     */
    public record Result(double alpha, float[] scales, List<QuantizedMatrix> weights, double error) {
    }

    /** The alphas {@link #search} tries: 0.30, 0.35, ..., 0.90. */
    public static double[] alphaGrid() {
        double[] a = new double[13];
        for (int i = 0; i < a.length; i++) a[i] = (30 + 5 * i) / 100.0;
        return a;
    }

    /** {@code s_j = max(actMax_j, 1e-5)^alpha / max(weightMax_j, 1e-5)^(1 - alpha)}, at least 1e-5. */
    public static float[] factors(float[] actAbsMax, float[] weightAbsMax, double alpha) {
        if (actAbsMax.length != weightAbsMax.length) throw new IllegalArgumentException("activation and weight ranges differ in length");
        float[] s = new float[actAbsMax.length];
        for (int j = 0; j < s.length; j++) {
            double v = Math.pow(Math.max(actAbsMax[j], FLOOR), alpha) / Math.pow(Math.max(weightAbsMax[j], FLOOR), 1 - alpha);
            s[j] = (float) Math.max(v, FLOOR);
        }
        return s;
    }

    /**
     * Smooths with a given alpha and quantizes every layer.
     *
     * @param layers layers that read the same input, all with {@code cols} input channels
     * @param x calibration inputs to those layers, {@code tokens x cols} row-major
     */
    public static Result smooth(List<Linear> layers, float[] x, int tokens, double alpha) {
        int cols = checkedCols(layers, x, tokens);
        return apply(layers, x, tokens, alpha, factors(ChannelStats.absMax(x, tokens, cols), ChannelStats.weightAbsMax(layers), alpha));
    }

    /** Tries every alpha of {@link #alphaGrid()} and keeps the one with the least W8A8 output error. */
    public static Result search(List<Linear> layers, float[] x, int tokens) {
        int cols = checkedCols(layers, x, tokens);
        float[] act = ChannelStats.absMax(x, tokens, cols);
        float[] wmax = ChannelStats.weightAbsMax(layers);
        Result best = null;
        for (double alpha : alphaGrid()) {
            Result r = apply(layers, x, tokens, alpha, factors(act, wmax, alpha));
            if (best == null || r.error() < best.error()) best = r;
        }
        return best;
    }

    /**
     * Quantizes {@code W diag(s)} for W8A8 and measures the simulated output against the float layers;
     * {@code s} of all ones is plain W8A8 without smoothing.
     */
    public static Result apply(List<Linear> layers, float[] x, int tokens, double alpha, float[] s) {
        int cols = checkedCols(layers, x, tokens);
        W8A8 scheme = new W8A8(alpha);
        float[] xs = ChannelScales.divideColumns(x, tokens, s);
        List<QuantizedMatrix> weights = new ArrayList<>();
        double error = 0;
        for (Linear l : layers) {
            QuantizedMatrix q = Rtn.quantize(ChannelScales.scaleColumns(l, s), l.rows(), cols, scheme);
            weights.add(q);
            float[] want = OutputError.forward(l.weight(), l.rows(), cols, x, tokens);
            float[] got = W8A8.simulate(q, xs, tokens);
            for (int i = 0; i < want.length; i++) {
                double d = want[i] - got[i];
                error += d * d;
            }
        }
        return new Result(alpha, s, List.copyOf(weights), error);
    }

    private static int checkedCols(List<Linear> layers, float[] x, int tokens) {
        if (layers.isEmpty()) throw new IllegalArgumentException("no layers");
        int cols = layers.getFirst().cols();
        for (Linear l : layers) if (l.cols() != cols) throw new IllegalArgumentException("layers sharing an input must have the same cols");
        if (x.length < (long) tokens * cols) throw new IllegalArgumentException("x has fewer than " + tokens + " rows of " + cols);
        return cols;
    }
}
