package axc.frontend;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufNames;
import axc.formats.hf.Family;
import axc.formats.hf.HfNames;
import axc.formats.hf.ModelConfig;
import axc.formats.hf.QuantizationConfig;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.ir.Attrs;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.Verifier;
import axc.ir.WeightScheme;

import java.util.Optional;

/**
 * Builds the graph of a Qwen2 or Qwen3 decoder for one step of {@code T} tokens: inputs {@code tokens}
 * and {@code positions} (both {@code i32[T]}), output the logits {@code f32[T,vocab]} of every row.
 * Decoding runs it with T = 1, prefill with T = the prompt length; the KV cache lives in the
 * {@code attention} nodes' slots (one per layer) across steps.
 *
 * <p>Weights are params named by their Hugging Face names whatever the store (GGUF names are mapped
 * through {@link GgufNames}); each weight-reading op's {@code scheme} is the stored form of its tensor:
 * its float or llama.cpp block type, or the checkpoint's {@code quantization_config} (GPTQ int4, int8
 * per channel, W8A8) for the layer matrices a quantized checkpoint packs.
 */
public final class QwenFrontend {
    public static final String TOKENS = "tokens";
    public static final String POSITIONS = "positions";
    /** The symbolic number of tokens of a step. */
    public static final Dim T = Dim.sym("T");

    private final ModelConfig c;
    private final TensorStore store;

    private QwenFrontend(ModelConfig c, TensorStore store) {
        this.c = c;
        this.store = store;
    }

    /** The step graph of the model {@code config} describes, with the weights of {@code store}; verified. */
    public static Graph build(ModelConfig config, TensorStore store) {
        Graph g = new QwenFrontend(config, store).graph();
        Verifier.verify(g, name -> present(config, store, name));
        return g;
    }

    private boolean qwen3() {
        return c.family() == Family.QWEN3 || (c.family() == null && find(store, HfNames.qNorm(0)).isPresent());
    }

    private Graph graph() {
        int h = c.hiddenSize();
        int hd = c.headDim();
        double eps = c.rmsNormEps();
        GraphBuilder b = new GraphBuilder(qwen3() ? "qwen3" : "qwen2");
        int tokens = b.input(TOKENS, TensorType.i32(T));
        int positions = b.input(POSITIONS, TensorType.i32(T));
        TensorInfo embedInfo = info(HfNames.EMBED);
        int vocabRows = (int) embedInfo.dim(0);
        int embed = weight(b, HfNames.EMBED, vocabRows, h);
        int x = b.op(Op.EMBEDDING, schemeOf(b, embed), embed, tokens);
        Attrs rope = Attrs.of("head_dim", hd, "theta", c.ropeTheta());
        for (int l = 0; l < c.numLayers(); l++) {
            int n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vector(b, HfNames.attnNorm(l), h));
            int q = matmul(b, n, HfNames.q(l), c.qDim(), h);
            int k = matmul(b, n, HfNames.k(l), c.kvDim(), h);
            int v = matmul(b, n, HfNames.v(l), c.kvDim(), h);
            q = bias(b, q, HfNames.qBias(l), c.qDim());
            k = bias(b, k, HfNames.kBias(l), c.kvDim());
            v = bias(b, v, HfNames.vBias(l), c.kvDim());
            if (qwen3()) {
                q = b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", c.numHeads(), "head_dim", hd, "eps", eps), q, vector(b, HfNames.qNorm(l), hd));
                k = b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", c.numKvHeads(), "head_dim", hd, "eps", eps), k, vector(b, HfNames.kNorm(l), hd));
            }
            q = b.op(Op.ROPE, rope.with("heads", c.numHeads()), q, positions);
            k = b.op(Op.ROPE, rope.with("heads", c.numKvHeads()), k, positions);
            int att = b.op(Op.ATTENTION, Attrs.of("heads", c.numHeads(), "kv_heads", c.numKvHeads(), "head_dim", hd, "layer", l), q, k, v, positions);
            x = b.op(Op.ADD, x, matmul(b, att, HfNames.o(l), h, c.qDim()));
            n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vector(b, HfNames.ffnNorm(l), h));
            int gate = matmul(b, n, HfNames.gate(l), c.intermediateSize(), h);
            int up = matmul(b, n, HfNames.up(l), c.intermediateSize(), h);
            int act = b.op(Op.MUL, b.op(Op.SILU, gate), up);
            x = b.op(Op.ADD, x, matmul(b, act, HfNames.down(l), h, c.intermediateSize()));
        }
        int n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vector(b, HfNames.FINAL_NORM, h));
        String headName = !c.tieWordEmbeddings() && find(store, HfNames.LM_HEAD).isPresent() ? HfNames.LM_HEAD : HfNames.EMBED;
        int headRows = (int) info(headName).dim(0);
        int logits = b.op(Op.MATMUL, schemeOf(b, weight(b, headName, headRows, h)), n, weight(b, headName, headRows, h));
        return b.output(logits).build();
    }

    private static Attrs schemeOf(GraphBuilder b, int param) {
        return Attrs.of("scheme", b.node(param).attrs().getString("scheme"));
    }

    private int matmul(GraphBuilder b, int x, String name, int rows, int cols) {
        int w = weight(b, name, rows, cols);
        return b.op(Op.MATMUL, schemeOf(b, w), x, w);
    }

    private int weight(GraphBuilder b, String name, int rows, int cols) {
        return b.param(name, scheme(c, store, name), TensorType.of(DataType.F32, rows, cols));
    }

    private int vector(GraphBuilder b, String name, int size) {
        return b.param(name, scheme(c, store, name), TensorType.of(DataType.F32, size));
    }

    private int bias(GraphBuilder b, int x, String name, int size) {
        if (find(store, name).isEmpty()) return x;
        return b.op(Op.BIAS_ADD, x, vector(b, name, size));
    }

    private TensorInfo info(String hfName) {
        return find(store, hfName).orElseThrow(() -> new InvalidInputException("tensor " + hfName + " is missing"));
    }

    /** A tensor by its Hugging Face name, or by its GGUF name in a GGUF store. */
    public static Optional<TensorInfo> find(TensorStore store, String hfName) {
        Optional<TensorInfo> t = store.find(hfName);
        if (t.isPresent()) return t;
        return GgufNames.toGguf(hfName).flatMap(store::find);
    }

    /**
     * The stored form of weight {@code hfName}: packed as the quantization config says for the layer
     * matrices of a quantized checkpoint (unless kept in float), else the stored tensor's own type.
     * The same rule {@code axc.reference.Weights#matrix} decodes by.
     */
    public static WeightScheme scheme(ModelConfig config, TensorStore store, String hfName) {
        Optional<TensorInfo> t = find(store, hfName);
        QuantizationConfig q = config.quantization();
        boolean keptFloat = t.isPresent() && t.get().dtype().isFloatStorage();
        boolean layerMatrix = hfName.endsWith(".weight") && !hfName.equals(HfNames.EMBED) && !hfName.equals(HfNames.LM_HEAD)
                && (hfName.contains("_proj."));
        if (q != null && !keptFloat && layerMatrix) {
            return q.gptq() ? new WeightScheme.GptqInt4(q.groupSize()) : new WeightScheme.Int8Channel(q.activationsInt8());
        }
        TensorInfo info = t.orElseThrow(() -> new InvalidInputException("tensor " + hfName + " is missing"));
        try {
            return new WeightScheme.Stored(info.dtype());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("tensor " + info.name() + ": " + info.dtype() + " is not a weight type axc computes with");
        }
    }

    /** Whether the tensors behind param {@code hfName} are in the store, in the form its scheme needs. */
    public static boolean present(ModelConfig config, TensorStore store, String hfName) {
        WeightScheme s;
        try {
            s = scheme(config, store, hfName);
        } catch (InvalidInputException e) {
            return false;
        }
        String base = hfName.endsWith(".weight") ? hfName.substring(0, hfName.length() - ".weight".length()) : hfName;
        return switch (s) {
            case WeightScheme.GptqInt4 g -> store.contains(base + ".qweight") && store.contains(base + ".qzeros") && store.contains(base + ".scales");
            case WeightScheme.Int8Channel i -> find(store, hfName).isPresent() && store.contains(base + ".weight_scale");
            case WeightScheme.Stored st -> find(store, hfName).isPresent();
        };
    }
}
