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
        this.invFreq = DecoderMath.invFreq(c.ropeTheta(), c.headDim());
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
        if (cache.length >= cache.capacity) throw new IllegalStateException("KV cache full (" + cache.capacity + " positions)");
        int pos = cache.length;
        float[] x = embed(token);
        Scratch s = new Scratch(c);
        for (int l = 0; l < layers.length; l++) layerStep(l, x, pos, cache, s, LayerTap.NONE);
        cache.length = pos + 1;
        return logits(x);
    }

    /** The embedding row of {@code token}: the residual stream before layer 0. */
    public float[] embed(int token) {
        if (token < 0 || token >= embed.rows()) throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + embed.rows());
        float[] x = new float[c.hiddenSize()];
        embed.row(token, x);
        return x;
    }

    /** Final norm and head on a residual stream. */
    public float[] logits(float[] x) {
        float[] n = new float[c.hiddenSize()];
        rmsNorm(x, finalNorm, n);
        float[] logits = new float[head.rows()];
        head.matvec(n, logits);
        return logits;
    }

    /**
     * Runs layer {@code l} over a whole sequence of residual-stream vectors (positions 0..n-1, causal),
     * in place, reporting each linear layer's input to {@code tap}. Calibration walks a model this way,
     * one layer at a time, so memory holds one layer's activations.
     */
    public void runLayer(int l, float[][] xs, LayerTap tap) {
        KvCache cache = newCache(xs.length);
        Scratch s = new Scratch(c);
        for (int pos = 0; pos < xs.length; pos++) layerStep(l, xs[pos], pos, cache, s, tap);
    }

    /** Buffers one layer step needs, allocated once per forward. */
    private static final class Scratch {
        final float[] n, q, k, v, att, proj, gate, up;

        Scratch(ModelConfig c) {
            n = new float[c.hiddenSize()];
            q = new float[c.qDim()];
            k = new float[c.kvDim()];
            v = new float[c.kvDim()];
            att = new float[c.qDim()];
            proj = new float[c.hiddenSize()];
            gate = new float[c.intermediateSize()];
            up = new float[c.intermediateSize()];
        }
    }

    private void layerStep(int l, float[] x, int pos, KvCache cache, Scratch s, LayerTap tap) {
        Layer L = layers[l];
        int h = c.hiddenSize();
        rmsNorm(x, L.attnNorm, s.n);
        tap.attentionInput(l, s.n);
        L.q.matvec(s.n, s.q);
        L.k.matvec(s.n, s.k);
        L.v.matvec(s.n, s.v);
        addBias(s.q, L.qBias);
        addBias(s.k, L.kBias);
        addBias(s.v, L.vBias);
        if (L.qNorm != null) {
            headNorm(s.q, L.qNorm, c.numHeads());
            headNorm(s.k, L.kNorm, c.numKvHeads());
        }
        rope(s.q, c.numHeads(), pos);
        rope(s.k, c.numKvHeads(), pos);
        System.arraycopy(s.k, 0, cache.keys[l], pos * c.kvDim(), c.kvDim());
        System.arraycopy(s.v, 0, cache.values[l], pos * c.kvDim(), c.kvDim());
        attention(s.q, cache, l, pos + 1, s.att);
        tap.outputInput(l, s.att);
        L.o.matvec(s.att, s.proj);
        for (int i = 0; i < h; i++) x[i] += s.proj[i];
        rmsNorm(x, L.ffnNorm, s.n);
        tap.mlpInput(l, s.n);
        L.gate.matvec(s.n, s.gate);
        L.up.matvec(s.n, s.up);
        for (int i = 0; i < s.gate.length; i++) s.gate[i] = silu(s.gate[i]) * s.up[i];
        tap.downInput(l, s.gate);
        L.down.matvec(s.gate, s.proj);
        for (int i = 0; i < h; i++) x[i] += s.proj[i];
    }

    /**
     * Replaces a matrix or a norm vector of a layer (by its Hugging Face name): quantizers swap in
     * quantized matrices and rescaled norms, then keep running the model on them.
     */
    public void replace(String hfName, Matrix m) {
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            Layer r = hfName.equals(HfNames.q(l)) ? new Layer(L.attnNorm, L.ffnNorm, m, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down)
                    : hfName.equals(HfNames.k(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, m, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down)
                    : hfName.equals(HfNames.v(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, L.k, m, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down)
                    : hfName.equals(HfNames.o(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, L.k, L.v, m, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down)
                    : hfName.equals(HfNames.gate(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, m, L.up, L.down)
                    : hfName.equals(HfNames.up(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, m, L.down)
                    : hfName.equals(HfNames.down(l)) ? new Layer(L.attnNorm, L.ffnNorm, L.q, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, m)
                    : null;
            if (r != null) {
                layers[l] = r;
                return;
            }
        }
        throw new IllegalArgumentException("no layer matrix " + hfName);
    }

    public void replaceNorm(String hfName, float[] weight) {
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            if (hfName.equals(HfNames.attnNorm(l))) {
                layers[l] = new Layer(weight, L.ffnNorm, L.q, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down);
                return;
            }
            if (hfName.equals(HfNames.ffnNorm(l))) {
                layers[l] = new Layer(L.attnNorm, weight, L.q, L.k, L.v, L.o, L.qBias, L.kBias, L.vBias, L.qNorm, L.kNorm, L.gate, L.up, L.down);
                return;
            }
        }
        throw new IllegalArgumentException("no layer norm " + hfName);
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
        DecoderMath.rmsNorm(x, off, n, weight, out, outOff, eps);
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
        DecoderMath.rope(v, 0, heads, c.headDim(), pos, invFreq);
    }

    private void attention(float[] q, KvCache cache, int l, int len, float[] out) {
        DecoderMath.attend(q, 0, cache.keys[l], cache.values[l], c.kvDim(), len, c.numHeads(), c.numKvHeads(), c.headDim(), out, 0);
    }

    static float silu(float x) {
        return DecoderMath.silu(x);
    }
}
