package axc.quant.safetensors;

import axc.formats.hf.ModelConfig;
import axc.progress.Progress;
import axc.quant.TensorError;
import axc.quant.gptq.Gptq;
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
        Map<LayerPlan.Input, double[]> hessians = new EnumMap<>(LayerPlan.Input.class);
        for (LayerPlan.Linear lin : LayerPlan.of(config, l)) {
            if (keepFloat.contains(lin.name())) continue;
            float[] w = dense(weights.matrix(lin.name()));
            QuantizedMatrix q = switch (recipe.algorithm()) {
                case "gptq" -> {
                    double[] h = hessians.computeIfAbsent(lin.input(), in -> {
                        HessianAccumulator acc = new HessianAccumulator(lin.cols());
                        acc.add(acts.of(in), acts.tokens());
                        return acc.hessian();
                    });
                    yield gptq().quantize(w, lin.rows(), lin.cols(), h, scheme);
                }
                default -> Rtn.quantize(w, lin.rows(), lin.cols(), scheme);
            };
            QuantizedMatrix stored = scheme instanceof Int4Group ? new GptqPacker(q).packed() : q;
            out.put(lin.name(), stored);
            float[] back = stored.dequantize();
            errors.put(lin.name(), error(lin.name(), w, back));
            model.replace(lin.name(), runtimeMatrix(stored, back));
        }
        if (calibrated()) for (float[][] xs : hidden) model.runLayer(l, xs, LayerTap.NONE);
        // Layer l never runs again: give its matrices back to the mapped originals to free the heap.
        for (LayerPlan.Linear lin : LayerPlan.of(config, l)) model.replace(lin.name(), weights.matrix(lin.name()));
        return new LayerResult(l, out, Map.of(), errors);
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
