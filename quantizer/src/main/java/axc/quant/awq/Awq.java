package axc.quant.awq;

import axc.quant.linalg.Gemm;
import axc.quant.scheme.ChannelScales;
import axc.quant.scheme.ChannelStats;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.IntGrid;
import axc.quant.scheme.Linear;
import axc.quant.scheme.OutputError;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.scheme.Rtn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * AWQ, activation-aware weight quantization (Lin et al., 2023): before rounding, scale up the weight
 * columns of input channels whose activations are large, so their weights lose less to rounding, and
 * divide those activations by the same factor, which keeps the product unchanged.
 *
 * <p>For a group of linear layers that read the same input (q/k/v after {@code input_layernorm},
 * gate/up after {@code post_attention_layernorm}, or a single layer):
 * <ol>
 *   <li><b>Scale search.</b> {@code s_x[c] = mean_t |x[t][c]|}; for {@code alpha = 0, 1/grid, ...,
 *       (grid-1)/grid}, {@code s = s_x^alpha} normalised by {@code sqrt(max(s) min(s))}, and the
 *       output error {@code sum_layers ||X W^T - X (Q(W diag(s)) diag(s)^-1)^T||^2} is measured with
 *       round-to-nearest Q. The alpha with the least error wins; {@code alpha = 0} is plain RTN, so
 *       the search never does worse than RTN.</li>
 *   <li><b>Clip search</b> (optional): for every output row and group of the scaled weights, the range
 *       {@code +-max|w|} is shrunk by ratios 1.0, 0.95, ..., 0.5 and the ratio that minimises that
 *       group's own contribution to the output error on the (scaled) inputs is kept. The error is
 *       computed as {@code d^T G d} with {@code G} the group's block of {@code X^T X}, which makes the
 *       search independent of the number of calibration tokens. The reference skips clipping for q
 *       and k (attention scores amplify their errors); callers decide per group of layers.</li>
 * </ol>
 *
 * <p>The result holds the quantized {@code W diag(s)} of each layer; the {@code 1/s} half must be
 * folded into what produces the input (see {@link ChannelScales}).
 *
 * @param grid number of alpha values tried (the reference uses 20)
 * @param clip whether to search clipping ranges
 */
public record Awq(int grid, boolean clip) {
    /** Shrink ratios 1.0 down to 0.5 in steps of 0.05. */
    private static final int CLIP_STEPS = 11;
    /** Scales below this are raised to it before normalising, as in the reference, so no channel is zeroed. */
    private static final float MIN_SCALE = 1e-4f;

    public Awq {
        if (grid < 1) throw new IllegalArgumentException("grid must be >= 1: " + grid);
    }

    /** 20 alphas, clipping on. */
    public static Awq defaults() {
        return new Awq(20, true);
    }

    /** The same settings with clipping on or off. */
    public Awq withClip(boolean on) {
        return new Awq(grid, on);
    }

    /**
     * What AWQ chose and produced.
     *
     * @param scales per-input-channel {@code s}: weights were multiplied by it, the input must be divided by it
     * @param alpha the exponent that won the scale search
     * @param clipMax per layer, {@code rows x groups} clipping bounds applied to the scaled weights (the
     *                unclipped {@code max|w|} where clipping is off or chose ratio 1)
     * @param quantized per layer, the quantized {@code W diag(s)}
     * @param error the output error {@code sum_layers ||X W^T - (X / s) Q^T||^2} of the result on the calibration inputs
     */
    public record Result(float[] scales, double alpha, List<float[]> clipMax, List<QuantizedMatrix> quantized, double error) {
    }

    /**
     * Runs the scale search and, if enabled, the clip search, then quantizes every layer.
     *
     * @param layers layers that read the same input; all have {@code cols} input channels
     * @param x calibration inputs to those layers, {@code tokens x cols} row-major
     */
    public Result quantize(List<Linear> layers, float[] x, int tokens, Int4Group scheme) {
        if (layers.isEmpty()) throw new IllegalArgumentException("no layers");
        int cols = layers.getFirst().cols();
        for (Linear l : layers) if (l.cols() != cols) throw new IllegalArgumentException("layers sharing an input must have the same cols");
        if (x.length < (long) tokens * cols) throw new IllegalArgumentException("x has fewer than " + tokens + " rows of " + cols);

        float[] meanAbs = ChannelStats.absMean(x, tokens, cols);
        double bestError = Double.POSITIVE_INFINITY;
        double bestAlpha = 0;
        float[] best = null;
        for (int i = 0; i < grid; i++) {
            double alpha = i / (double) grid;
            float[] s = scalesFor(meanAbs, alpha);
            double e = 0;
            for (Linear l : layers) e += OutputError.squared(l.weight(), roundTrip(l, s, scheme), l.rows(), cols, x, tokens);
            if (e < bestError) {
                bestError = e;
                bestAlpha = alpha;
                best = s;
            }
        }

        float[] xs = ChannelScales.divideColumns(x, tokens, best);
        List<float[]> clips = new ArrayList<>();
        List<QuantizedMatrix> out = new ArrayList<>();
        double error = 0;
        for (Linear l : layers) {
            float[] ws = ChannelScales.scaleColumns(l, best);
            float[] clipMax = clip ? searchClip(ws, l.rows(), cols, xs, tokens, scheme) : groupAbsMax(ws, l.rows(), cols, scheme.groupSize());
            clampToGroups(ws, l.rows(), cols, scheme.groupSize(), clipMax);
            QuantizedMatrix q = Rtn.quantize(ws, l.rows(), cols, scheme);
            clips.add(clipMax);
            out.add(q);
            error += OutputError.squared(l.weight(), unscale(q.dequantize(), l.rows(), cols, best), l.rows(), cols, x, tokens);
        }
        return new Result(best, bestAlpha, List.copyOf(clips), List.copyOf(out), error);
    }

    /** {@code s = max(s_x, 1e-4)^alpha / sqrt(max(s) * min(s))}. */
    static float[] scalesFor(float[] meanAbs, double alpha) {
        float[] s = new float[meanAbs.length];
        double max = 0, min = Double.POSITIVE_INFINITY;
        for (int c = 0; c < s.length; c++) {
            double v = Math.pow(Math.max(meanAbs[c], MIN_SCALE), alpha);
            s[c] = (float) v;
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        float norm = (float) Math.sqrt(max * min);
        for (int c = 0; c < s.length; c++) s[c] /= norm;
        return s;
    }

    /** {@code Q(W diag(s)) diag(s)^-1}: the weights the layer effectively computes with. */
    private static float[] roundTrip(Linear l, float[] s, Int4Group scheme) {
        float[] ws = ChannelScales.scaleColumns(l, s);
        return unscale(Rtn.quantize(ws, l.rows(), l.cols(), scheme).dequantize(), l.rows(), l.cols(), s);
    }

    private static float[] unscale(float[] w, int rows, int cols, float[] s) {
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) w[r * cols + c] /= s[c];
        return w;
    }

    /**
     * Per row and group, the bound {@code ratio * max|w|} whose clamped, rounded group has the least
     * output error {@code d^T G d} on the group's inputs.
     */
    private static float[] searchClip(float[] ws, int rows, int cols, float[] xs, int tokens, Int4Group scheme) {
        int gs = scheme.groupSize();
        int groups = QuantizedMatrix.groupCount(cols, gs);
        IntGrid grid = IntGrid.of(scheme);
        float[] clipMax = new float[rows * groups];
        for (int g = 0; g < groups; g++) {
            int c0 = g * gs, len = Math.min(cols, c0 + gs) - c0;
            float[] gram = groupGram(xs, tokens, cols, c0, len);
            int group = g;
            IntStream.range(0, rows).parallel().forEach(r -> {
                float[] d = new float[len];
                int from = r * cols + c0;
                float absMax = 0;
                for (int c = 0; c < len; c++) absMax = Math.max(absMax, Math.abs(ws[from + c]));
                double bestErr = Double.POSITIVE_INFINITY;
                float bestMax = absMax;
                for (int k = 0; k < CLIP_STEPS; k++) {
                    float max = absMax * (1 - k * 0.05f);
                    float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
                    for (int c = 0; c < len; c++) {
                        float v = Math.max(-max, Math.min(max, ws[from + c]));
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    float scale = grid.scale(lo, hi);
                    int zero = grid.zero(lo, scale);
                    for (int c = 0; c < len; c++) {
                        float v = Math.max(-max, Math.min(max, ws[from + c]));
                        d[c] = IntGrid.dequantize(grid.quantize(v, scale, zero), scale, zero) - ws[from + c];
                    }
                    double err = quadraticForm(gram, d, len);
                    if (err < bestErr) {
                        bestErr = err;
                        bestMax = max;
                    }
                }
                clipMax[r * groups + group] = bestMax;
            });
        }
        return clipMax;
    }

    /** {@code X[:, c0..c0+len)^T X[:, c0..c0+len)}, {@code len x len}. */
    private static float[] groupGram(float[] x, int tokens, int cols, int c0, int len) {
        float[] xt = new float[len * tokens];
        for (int t = 0; t < tokens; t++) for (int c = 0; c < len; c++) xt[c * tokens + t] = x[t * cols + c0 + c];
        float[] gram = new float[len * len];
        Gemm.multiplyAdd(len, len, tokens, xt, 0, tokens, x, c0, cols, gram, 0, len);
        return gram;
    }

    private static double quadraticForm(float[] g, float[] d, int len) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            double row = 0;
            int gi = i * len;
            for (int j = 0; j < len; j++) row += g[gi + j] * d[j];
            s += d[i] * row;
        }
        return s;
    }

    private static float[] groupAbsMax(float[] w, int rows, int cols, int gs) {
        int groups = QuantizedMatrix.groupCount(cols, gs);
        float[] m = new float[rows * groups];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                int s = r * groups + c / gs;
                m[s] = Math.max(m[s], Math.abs(w[r * cols + c]));
            }
        return m;
    }

    private static void clampToGroups(float[] w, int rows, int cols, int gs, float[] clipMax) {
        int groups = QuantizedMatrix.groupCount(cols, gs);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) {
                float m = clipMax[r * groups + c / gs];
                int i = r * cols + c;
                w[i] = Math.max(-m, Math.min(m, w[i]));
            }
    }
}
