package axc.quant.safetensors;

import axc.formats.hf.ModelConfig;
import axc.progress.Progress;
import axc.quant.TensorError;
import axc.formats.hf.HfNames;
import axc.quant.awq.Awq;
import axc.quant.gptq.Gptq;
import axc.quant.scheme.ChannelScales;
import axc.quant.scheme.Linear;
import axc.quant.smoothquant.SmoothQuant;
import axc.quant.gptq.HessianAccumulator;
import axc.quant.recipe.Recipe;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.Int8PerChannel;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.QuantizedMatrix;
import axc.quant.scheme.Rtn;
import axc.quant.scheme.W8A8;
import axc.reference.DenseMatrix;
import axc.reference.Int8ChannelMatrix;
import axc.reference.LayerTap;
import axc.reference.Matrix;
import axc.reference.ReferenceModel;
import axc.reference.Weights;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the model one layer at a time over the calibration set: capture the layer's linear inputs,
 * quantize its matrices (RTN, GPTQ, ...), swap the quantized matrices in, and run the layer again so the
 * next layer calibrates on what the quantized model really produces. Memory holds the hidden states of
 * the calibration tokens and one layer's activations and results.
 */
final class LayerwiseSession {
    private final ReferenceModel model;
    private final Weights weights;
    private final ModelConfig config;
    private final Recipe recipe;
    private final QuantScheme scheme;
    private final Set<String> keepFloat;
    private final List<float[][]> hidden;
    private final Progress progress;
    private int done = -1;
    private LayerResult current;

    LayerwiseSession(ReferenceModel model, Weights weights, Recipe recipe, QuantScheme scheme, Set<String> keepFloat,
                     List<int[]> calibration, Progress progress) {
        this.model = model;
        this.weights = weights;
        this.config = weights.config();
        this.recipe = recipe;
        this.scheme = scheme;
        this.keepFloat = keepFloat;
        this.progress = progress;
        this.hidden = new ArrayList<>();
        for (int[] seq : calibration) {
            float[][] xs = new float[seq.length][];
            for (int i = 0; i < seq.length; i++) xs[i] = model.embed(seq[i]);
            hidden.add(xs);
        }
    }

    /** Layer {@code l}'s result, quantizing layers in order up to it; layers are asked for in order. */
    LayerResult layer(int l) {
        if (l < done) throw new IllegalStateException("layer " + l + " was already released");
        while (done < l) {
            current = process(done + 1);
            done++;
            progress.advance(1);
        }
        return current;
    }

    /** Round-to-nearest needs no calibration: no activations are captured or propagated. */
    private boolean calibrated() {
        return !recipe.algorithm().equals("rtn");
    }

    private LayerResult process(int l) {
        int tokens = calibrated() ? hidden.stream().mapToInt(x -> x.length).sum() : 0;
        Activations acts = new Activations(tokens, config.hiddenSize(), config.qDim(), config.intermediateSize());
        for (float[][] xs : calibrated() ? hidden : List.<float[][]>of()) {
            float[][] copy = new float[xs.length][];
            for (int i = 0; i < xs.length; i++) copy[i] = xs[i].clone();
            model.runLayer(l, copy, acts);
        }
        Map<String, QuantizedMatrix> out = new LinkedHashMap<>();
        Map<String, TensorError> errors = new LinkedHashMap<>();
        Map<String, float[]> vectors = new LinkedHashMap<>();
        Map<String, float[]> originals = new LinkedHashMap<>();
        for (LayerPlan.Linear lin : LayerPlan.of(config, l)) {
            if (!keepFloat.contains(lin.name())) originals.put(lin.name(), dense(weights.matrix(lin.name())));
        }
        switch (recipe.algorithm()) {
            case "awq", "smoothquant" -> scaled(l, acts, originals, out, vectors);
            default -> plain(l, acts, originals, out);
        }
        for (Map.Entry<String, QuantizedMatrix> e : out.entrySet()) {
            QuantizedMatrix stored = scheme instanceof Int4Group ? new GptqPacker(e.getValue()).packed() : e.getValue();
            e.setValue(stored);
            float[] back = stored.dequantize();
            // The error is measured against the original matrix, with any input scaling undone.
            float[] s = vectors.get("scale:" + e.getKey());
            if (s != null) {
                for (int r = 0; r < stored.rows(); r++) for (int c = 0; c < stored.cols(); c++) back[r * stored.cols() + c] /= s[c];
            }
            errors.put(e.getKey(), error(e.getKey(), originals.get(e.getKey()), back));
            model.replace(e.getKey(), runtimeMatrix(stored, stored.dequantize()));
        }
        vectors.keySet().removeIf(k -> k.startsWith("scale:"));
        for (Map.Entry<String, float[]> v : vectors.entrySet()) model.replaceNorm(v.getKey(), v.getValue());
        if (calibrated()) for (float[][] xs : hidden) model.runLayer(l, xs, LayerTap.NONE);
        // Layer l never runs again: give its matrices back to the mapped originals to free the heap.
        for (LayerPlan.Linear lin : LayerPlan.of(config, l)) model.replace(lin.name(), weights.matrix(lin.name()));
        return new LayerResult(l, out, vectors, errors);
    }

    /** RTN or GPTQ, matrix by matrix. */
    private void plain(int l, Activations acts, Map<String, float[]> w, Map<String, QuantizedMatrix> out) {
        Map<LayerPlan.Input, double[]> hessians = new EnumMap<>(LayerPlan.Input.class);
        for (LayerPlan.Linear lin : LayerPlan.of(config, l)) {
            if (keepFloat.contains(lin.name())) continue;
            QuantizedMatrix q = switch (recipe.algorithm()) {
                case "gptq" -> {
                    double[] h = hessians.computeIfAbsent(lin.input(), in -> {
                        HessianAccumulator acc = new HessianAccumulator(lin.cols());
                        acc.add(acts.of(in), acts.tokens());
                        return acc.hessian();
                    });
                    yield gptq().quantize(w.get(lin.name()), lin.rows(), lin.cols(), h, scheme);
                }
                default -> Rtn.quantize(w.get(lin.name()), lin.rows(), lin.cols(), scheme);
            };
            out.put(lin.name(), q);
        }
    }

    /**
     * AWQ or SmoothQuant: per group of layers sharing an input, per-channel scales s are searched on
     * the calibration inputs; W diag(s) is quantized and 1/s is folded where it is exact: into the
     * preceding RMSNorm (q/k/v, gate/up) or into up_proj's rows (down_proj's input is silu(gate) * up).
     * o_proj's input cannot take a fold under grouped-query attention, so it is quantized unscaled
     * (AWQ still searches its clipping). down_proj goes first, since its fold changes up_proj.
     */
    private void scaled(int l, Activations acts, Map<String, float[]> w, Map<String, QuantizedMatrix> out, Map<String, float[]> vectors) {
        String up = HfNames.up(l);
        String down = HfNames.down(l);
        if (!keepFloat.contains(down)) {
            float[] s = group(List.of(down), LayerPlan.Input.DOWN, acts, w, out, vectors, true);
            if (s != null && !keepFloat.contains(up)) {
                w.put(up, ChannelScales.divideRows(new Linear(w.get(up), config.intermediateSize(), config.hiddenSize()), s));
            }
        }
        group(names(l, LayerPlan.Input.ATTENTION), LayerPlan.Input.ATTENTION, acts, w, out, vectors, true);
        group(names(l, LayerPlan.Input.MLP), LayerPlan.Input.MLP, acts, w, out, vectors, true);
        group(names(l, LayerPlan.Input.OUTPUT), LayerPlan.Input.OUTPUT, acts, w, out, vectors, false);
        float[] attnS = vectors.remove("fold:" + LayerPlan.Input.ATTENTION);
        if (attnS != null) vectors.put(HfNames.attnNorm(l), ChannelScales.divideNorm(weights.vector(HfNames.attnNorm(l)), attnS));
        float[] mlpS = vectors.remove("fold:" + LayerPlan.Input.MLP);
        if (mlpS != null) vectors.put(HfNames.ffnNorm(l), ChannelScales.divideNorm(weights.vector(HfNames.ffnNorm(l)), mlpS));
        vectors.remove("fold:" + LayerPlan.Input.DOWN);
    }

    private List<String> names(int l, LayerPlan.Input input) {
        return LayerPlan.of(config, l).stream().filter(x -> x.input() == input && !keepFloat.contains(x.name())).map(LayerPlan.Linear::name).toList();
    }

    /** Searches and applies the scales of one input group; returns them (null when nothing was scaled). */
    private float[] group(List<String> names, LayerPlan.Input input, Activations acts, Map<String, float[]> w,
                          Map<String, QuantizedMatrix> out, Map<String, float[]> vectors, boolean foldable) {
        if (names.isEmpty()) return null;
        List<Linear> layers = new ArrayList<>();
        int cols = 0;
        for (String n : names) {
            LayerPlan.Linear lin = LayerPlan.of(config, layerOf(n)).stream().filter(x -> x.name().equals(n)).findFirst().orElseThrow();
            layers.add(new Linear(w.get(n), lin.rows(), lin.cols()));
            cols = lin.cols();
        }
        float[] x = acts.of(input);
        float[] s;
        List<QuantizedMatrix> qs;
        if (recipe.algorithm().equals("awq")) {
            if (!(scheme instanceof Int4Group g)) throw new axc.errors.InvalidInputException("AWQ is for int4 schemes, not " + scheme.name());
            Awq.Result r = (foldable ? Awq.defaults() : new Awq(1, true)).quantize(layers, x, acts.tokens(), g);
            s = r.scales();
            qs = r.quantized();
        } else {
            Object a = recipe.options().get("alpha");
            SmoothQuant.Result r;
            if (!foldable) {
                float[] ones = new float[cols];
                java.util.Arrays.fill(ones, 1f);
                r = SmoothQuant.apply(layers, x, acts.tokens(), 0, ones);
            } else if (a instanceof Number n) {
                r = SmoothQuant.smooth(layers, x, acts.tokens(), n.doubleValue());
            } else {
                r = SmoothQuant.search(layers, x, acts.tokens());
            }
            s = r.scales();
            qs = r.weights();
        }
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), qs.get(i));
            vectors.put("scale:" + names.get(i), s);
        }
        if (foldable) vectors.put("fold:" + input, s);
        return foldable ? s : null;
    }

    private static int layerOf(String name) {
        return Integer.parseInt(name.split("\\.")[2]);
    }

    private Gptq gptq() {
        Object act = recipe.options().get("act_order");
        Object damp = recipe.options().get("damp");
        Gptq g = Gptq.defaults();
        if (damp instanceof Number d) g = new Gptq(d.doubleValue(), g.actOrder());
        if (act != null && Boolean.parseBoolean(act.toString())) g = g.withActOrder(true);
        return g;
    }

    /** How the rest of the calibration run executes a quantized matrix: W8A8 also quantizes activations. */
    private Matrix runtimeMatrix(QuantizedMatrix q, float[] dequantized) {
        if (scheme instanceof W8A8 || scheme instanceof Int8PerChannel) {
            float[] scales = new float[q.rows()];
            for (int r = 0; r < q.rows(); r++) scales[r] = q.scales()[r];
            return new Int8ChannelMatrix(q.rows(), q.cols(), MemorySegment.ofArray(q.q().clone()), scales, scheme instanceof W8A8);
        }
        return new DenseMatrix(q.rows(), q.cols(), dequantized);
    }

    static float[] dense(Matrix m) {
        float[] w = new float[m.rows() * m.cols()];
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, row);
            System.arraycopy(row, 0, w, r * m.cols(), m.cols());
        }
        return w;
    }

    static TensorError error(String name, float[] w, float[] back) {
        double e = 0, s = 0;
        for (int i = 0; i < w.length; i++) {
            double d = back[i] - w[i];
            e += d * d;
            s += (double) w[i] * w[i];
        }
        return TensorError.of(name, "", e, s);
    }
}
