package axc.reference;

import axc.formats.hf.HfNames;
import axc.formats.hf.ModelConfig;
import axc.model.LanguageModel;

/**
 * The Qwen2/Qwen3 decoder as plain float32 Java, with float64 accumulation in dot products, norms and
 * softmax: the executable specification every other implementation in axc is checked against.
 *
 * <p>Per layer: x += o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x)))); x += down(silu(gate(n2(x))) * up(n2(x))),
 * with RMSNorm n1/n2, q/k/v biases (Qwen2) or per-head q/k RMSNorm before RoPE (Qwen3), grouped-query
 * attention and the rotate-half ("NeoX") rotary embedding of Hugging Face.
 */
public final class ReferenceModel implements LanguageModel {
    private final Weights w;
    private final ModelConfig c;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final Matrix embed;
    private final Matrix head;
    private final double[] invFreq;

    private record Layer(float[] attnNorm, float[] ffnNorm, Matrix q, Matrix k, Matrix v, Matrix o,
                         float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
                         Matrix gate, Matrix up, Matrix down) {
    }

    public ReferenceModel(Weights w) {
        this.w = w;
        this.c = w.config();
        this.layers = new Layer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            boolean q3 = w.qwen3();
            layers[l] = new Layer(w.vector(HfNames.attnNorm(l)), w.vector(HfNames.ffnNorm(l)),
                    w.matrix(HfNames.q(l)), w.matrix(HfNames.k(l)), w.matrix(HfNames.v(l)), w.matrix(HfNames.o(l)),
                    optional(HfNames.qBias(l)), optional(HfNames.kBias(l)), optional(HfNames.vBias(l)),
                    q3 ? w.vector(HfNames.qNorm(l)) : null, q3 ? w.vector(HfNames.kNorm(l)) : null,
                    w.matrix(HfNames.gate(l)), w.matrix(HfNames.up(l)), w.matrix(HfNames.down(l)));
        }
        this.finalNorm = w.vector(HfNames.FINAL_NORM);
        this.embed = w.matrix(HfNames.EMBED);
        this.head = w.head();
        int half = c.headDim() / 2;
        this.invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            // As transformers computes it: in float32.
            invFreq[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (float) (2 * i) / (float) c.headDim()));
        }
    }

    private float[] optional(String name) {
        return w.has(name) ? w.vector(name) : null;
    }

    @Override
    public ModelConfig config() {
        return c;
    }

    @Override
    public int vocabRows() {
        return head.rows();
    }

    @Override
    public String backend() {
        return "reference";
    }

    @Override
    public long weightBytesPerToken() {
        return w.matrixBytes();
    }

    @Override
    public Session newSession(int capacity) {
        KvCache cache = newCache(capacity);
        return new Session() {
            @Override
            public float[] next(int token) {
                return forward(cache, token);
            }

            @Override
            public int position() {
                return cache.length();
            }
        };
    }

    public KvCache newCache(int capacity) {
        return new KvCache(c.numLayers(), c.kvDim(), capacity);
    }

    /** Runs {@code token} at the next position of {@code cache} and returns that position's logits. */
    public float[] forward(KvCache cache, int token) {
        if (token < 0 || token >= embed.rows()) throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + embed.rows());
        if (cache.length >= cache.capacity) throw new IllegalStateException("KV cache full (" + cache.capacity + " positions)");
        int pos = cache.length;
        int h = c.hiddenSize();
        float[] x = new float[h];
        embed.row(token, x);
        float[] n = new float[h];
        float[] q = new float[c.qDim()];
        float[] k = new float[c.kvDim()];
        float[] v = new float[c.kvDim()];
        float[] att = new float[c.qDim()];
        float[] proj = new float[h];
        float[] gate = new float[c.intermediateSize()];
        float[] up = new float[c.intermediateSize()];
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            rmsNorm(x, L.attnNorm, n);
            L.q.matvec(n, q);
            L.k.matvec(n, k);
            L.v.matvec(n, v);
            addBias(q, L.qBias);
            addBias(k, L.kBias);
            addBias(v, L.vBias);
            if (L.qNorm != null) {
                headNorm(q, L.qNorm, c.numHeads());
                headNorm(k, L.kNorm, c.numKvHeads());
            }
            rope(q, c.numHeads(), pos);
            rope(k, c.numKvHeads(), pos);
            System.arraycopy(k, 0, cache.keys[l], pos * c.kvDim(), c.kvDim());
            System.arraycopy(v, 0, cache.values[l], pos * c.kvDim(), c.kvDim());
            attention(q, cache, l, pos + 1, att);
            L.o.matvec(att, proj);
            for (int i = 0; i < h; i++) x[i] += proj[i];
            rmsNorm(x, L.ffnNorm, n);
            L.gate.matvec(n, gate);
            L.up.matvec(n, up);
            for (int i = 0; i < gate.length; i++) gate[i] = silu(gate[i]) * up[i];
            L.down.matvec(gate, proj);
            for (int i = 0; i < h; i++) x[i] += proj[i];
        }
        cache.length = pos + 1;
        rmsNorm(x, finalNorm, n);
        float[] logits = new float[head.rows()];
        head.matvec(n, logits);
        return logits;
    }

    /** Logits of every position of {@code tokens}, run from an empty cache. */
    public float[][] forwardAll(int[] tokens) {
        KvCache cache = newCache(tokens.length);
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = forward(cache, tokens[i]);
        return out;
    }

    void rmsNorm(float[] x, float[] weight, float[] out) {
        rmsNorm(x, 0, x.length, weight, out, 0, c.rmsNormEps());
    }

    static void rmsNorm(float[] x, int off, int n, float[] weight, float[] out, int outOff, double eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (double) x[off + i] * x[off + i];
        // transformers: hidden * rsqrt(mean(hidden^2) + eps), in float32, then * weight.
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = weight[i] * (x[off + i] * inv);
    }

    private void headNorm(float[] v, float[] weight, int heads) {
        int d = c.headDim();
        for (int hd = 0; hd < heads; hd++) rmsNorm(v, hd * d, d, weight, v, hd * d, c.rmsNormEps());
    }

    private static void addBias(float[] v, float[] b) {
        if (b == null) return;
        for (int i = 0; i < v.length; i++) v[i] += b[i];
    }

    private void rope(float[] v, int heads, int pos) {
        int d = c.headDim();
        int half = d / 2;
        for (int hd = 0; hd < heads; hd++) {
            int base = hd * d;
            for (int i = 0; i < half; i++) {
                float angle = (float) pos * (float) invFreq[i];
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                float x1 = v[base + i];
                float x2 = v[base + half + i];
                v[base + i] = x1 * cos - x2 * sin;
                v[base + half + i] = x2 * cos + x1 * sin;
            }
        }
    }

    private void attention(float[] q, KvCache cache, int l, int len, float[] out) {
        int d = c.headDim();
        int group = c.numHeads() / c.numKvHeads();
        double scale = 1.0 / Math.sqrt(d);
        double[] scores = new double[len];
        for (int hd = 0; hd < c.numHeads(); hd++) {
            int kvh = hd / group;
            double max = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < len; t++) {
                double s = 0;
                int ko = t * c.kvDim() + kvh * d;
                for (int i = 0; i < d; i++) s += (double) q[hd * d + i] * cache.keys[l][ko + i];
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
                for (int t = 0; t < len; t++) acc += scores[t] * cache.values[l][t * c.kvDim() + kvh * d + i];
                out[hd * d + i] = (float) (acc / sum);
            }
        }
    }

    static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }
}
