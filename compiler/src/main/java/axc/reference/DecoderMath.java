package axc.reference;

/**
 * The per-token arithmetic of the Qwen decoder, in one place: the reference forward pass and the
 * graph interpreter both call it, so they agree bit for bit by construction (float32 values, float64
 * accumulation, the operation order transformers uses).
 */
public final class DecoderMath {
    private DecoderMath() {
    }

    /** RMSNorm of {@code x[off, off+n)} into {@code out[outOff, ...)}: x * rsqrt(mean(x^2) + eps) * weight. */
    public static void rmsNorm(float[] x, int off, int n, float[] weight, float[] out, int outOff, double eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (double) x[off + i] * x[off + i];
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = weight[i] * (x[off + i] * inv);
    }

    public static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** Rotary inverse frequencies, computed in float32 as transformers computes them. */
    public static double[] invFreq(double theta, int headDim) {
        int half = headDim / 2;
        double[] f = new double[half];
        for (int i = 0; i < half; i++) f[i] = (float) (1.0 / Math.pow(theta, (float) (2 * i) / (float) headDim));
        return f;
    }

    /** Rotate-half rotary embedding of {@code heads} heads starting at {@code off}, at position {@code pos}. */
    public static void rope(float[] v, int off, int heads, int headDim, int pos, double[] invFreq) {
        int half = headDim / 2;
        // The angles depend on the position and the frequency only: computed once, not once per head.
        float[] cos = new float[half];
        float[] sin = new float[half];
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * (float) invFreq[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = v[base + i];
                float x2 = v[base + half + i];
                v[base + i] = x1 * cos[i] - x2 * sin[i];
                v[base + half + i] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }

    /**
     * Causal grouped-query attention of one query row ({@code heads * d} values at {@code qOff}) over
     * cached keys and values of positions 0..len-1 ({@code kvDim} per position); query head h reads
     * kv head h / (heads / kvHeads). Writes {@code heads * d} values at {@code outOff}.
     */
    public static void attend(float[] q, int qOff, float[] keys, float[] values, int kvDim, int len, int heads, int kvHeads, int d,
                              float[] out, int outOff) {
        int group = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(d);
        double[] scores = new double[len];
        for (int hd = 0; hd < heads; hd++) {
            int kvh = hd / group;
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) {
                double s = 0;
                int ko = t * kvDim + kvh * d;
                for (int i = 0; i < d; i++) s += (double) q[qOff + hd * d + i] * keys[ko + i];
                scores[t] = s * scale;
                max = Math.max(max, scores[t]);
            }
            double sum = 0;
            for (int t = 0; t < len; t++) {
                scores[t] = Math.exp(scores[t] - max);
                sum += scores[t];
            }
            for (int i = 0; i < d; i++) {
                double acc = 0;
                for (int t = 0; t < len; t++) acc += scores[t] * values[t * kvDim + kvh * d + i];
                out[outOff + hd * d + i] = (float) (acc / sum);
            }
        }
    }
}
