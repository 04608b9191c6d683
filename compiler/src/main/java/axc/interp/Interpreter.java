package axc.interp;

import axc.errors.InvalidInputException;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.Verifier;
import axc.reference.Matrix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs any verified graph, fused or not: the executable meaning of every op. Float32 values with
 * float64 accumulation in dot products, norms and softmax, in the same operation order as
 * {@link axc.reference.ReferenceModel}, so a graph of the reference's computation reproduces its
 * results bit for bit (and a fused op gives exactly what its unfused form gives, epilogues included;
 * {@code rms_norm_matmul} with {@code fold_norm=true} is computed unfolded, norm weight on the row). Weights come from a
 * {@link ParamSource} in their stored form; the KV cache lives in a {@link KvState} across runs.
 *
 * <p>Not thread-safe per state; one interpreter may serve several states in turn.
 */
public final class Interpreter {
    private final Graph graph;
    private final Map<Integer, Matrix> matrices = new HashMap<>();
    private final Map<Integer, float[]> vectors = new HashMap<>();
    /** Each matmul-family node's weights as one product ({@link ParamSource#product}); a SwiGLU's gate first. */
    private final Map<Integer, Matrix> products = new HashMap<>();
    private final Map<Integer, Integer> lastUse = new HashMap<>();
    private final OpKernels kernels;

    public Interpreter(Graph graph, ParamSource params) {
        Verifier.verify(graph);
        this.graph = graph;
        this.kernels = params.kernels();
        for (Node n : graph.nodes()) {
            for (int in : n.inputs()) lastUse.put(in, n.id());
            if (n.op() != Op.PARAM) continue;
            if (n.type().rank() == 2) {
                Matrix m = params.matrix(n.name(), n.scheme());
                if (m.rows() != n.type().dim(0).size() || m.cols() != n.type().dim(1).size()) {
                    throw new InvalidInputException("tensor " + n.name() + " is " + m.rows() + " x " + m.cols() + ", the graph expects " + n.type());
                }
                matrices.put(n.id(), m);
            } else {
                float[] v = params.vector(n.name());
                if (v.length != n.type().dim(0).size()) throw new InvalidInputException("tensor " + n.name() + " has " + v.length + " elements, the graph expects " + n.type());
                vectors.put(n.id(), v);
            }
        }
        for (Node n : graph.nodes()) {
            int from = switch (n.op()) {
                case MATMUL, MATMUL_SWIGLU -> 1;
                case RMS_NORM_MATMUL -> 2;
                default -> -1;
            };
            if (from > 0) products.put(n.id(), params.product(weights(n, from)));
        }
        for (int o : graph.outputs()) lastUse.put(o, Integer.MAX_VALUE);
    }

    public Graph graph() {
        return graph;
    }

    public KvState newState(int capacity) {
        return new KvState(capacity);
    }

    /** Runs the graph on {@code inputs} (by input name); returns the outputs in order. */
    public List<Tensor> run(KvState state, Map<String, Tensor> inputs) {
        return run(state, inputs, false);
    }

    /**
     * Like {@link #run}, but an output that is a plain row-wise product (a matmul, possibly with its
     * RMSNorm, no epilogue) is computed for the last row only: a prompt's logits before generation
     * need the last position, and the output projection of a large vocabulary is a quarter of a
     * small model's prefill. Other outputs are whole.
     */
    public List<Tensor> runLastRow(KvState state, Map<String, Tensor> inputs) {
        return run(state, inputs, true);
    }

    private List<Tensor> run(KvState state, Map<String, Tensor> inputs, boolean lastRow) {
        Map<Integer, Tensor> values = new HashMap<>();
        Map<String, Integer> symbols = new HashMap<>();
        for (Node n : graph.nodes()) {
            Tensor out = switch (n.op()) {
                case PARAM -> null;
                case INPUT -> input(n, inputs, symbols);
                default -> lastRow && rowWiseOutput(n) ? evalLastRow(n, values, state) : eval(n, values, state);
            };
            if (out != null) values.put(n.id(), out);
            for (int in : n.inputs()) if (lastUse.get(in) == n.id() && graph.node(in).op() != Op.PARAM) values.remove(in);
        }
        List<Tensor> outs = new ArrayList<>();
        for (int o : graph.outputs()) outs.add(values.get(o));
        return outs;
    }

    private static Tensor input(Node n, Map<String, Tensor> inputs, Map<String, Integer> symbols) {
        Tensor t = inputs.get(n.name());
        if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
        if (t.dtype() != n.type().dtype() || t.rank() != n.type().rank()) throw new IllegalArgumentException("input " + n.name() + " is " + t + ", the graph expects " + n.type());
        for (int i = 0; i < t.rank(); i++) {
            int size = t.shape()[i];
            switch (n.type().dim(i)) {
                case Dim.Fixed f -> {
                    if (f.size() != size) throw new IllegalArgumentException("input " + n.name() + " is " + t + ", the graph expects " + n.type());
                }
                case Dim.Sym s -> {
                    Integer bound = symbols.putIfAbsent(s.symbol(), size);
                    if (bound != null && bound != size) throw new IllegalArgumentException("input " + n.name() + " sets " + s.symbol() + " = " + size + ", another input set it to " + bound);
                }
            }
        }
        return t;
    }

    private boolean rowWiseOutput(Node n) {
        return (n.op() == Op.MATMUL || n.op() == Op.RMS_NORM_MATMUL) && Epilogue.of(n).isEmpty() && graph.outputs().contains(n.id());
    }

    /** {@code n} on the last row of its activation input (input 0). */
    private Tensor evalLastRow(Node n, Map<Integer, Tensor> v, KvState state) {
        Tensor x = v.get(n.input(0));
        if (x.rows() <= 1 || x.rank() != 2) return eval(n, v, state);
        Map<Integer, Tensor> view = new HashMap<>(v);
        view.put(n.input(0), Tensor.f32(x.row(x.rows() - 1), 1, x.width()));
        return eval(n, view, state);
    }

    private Tensor eval(Node n, Map<Integer, Tensor> v, KvState state) {
        Tensor t = op(n, v, state);
        Epilogue e = Epilogue.of(n);
        return e.isEmpty() ? t : epilogue(n, e, t, v);
    }

    /**
     * A matmul-family op's epilogue, stage by stage with the kernels of the ops it replaces, so a fused
     * graph computes exactly what its unfused form does.
     */
    private Tensor epilogue(Node n, Epilogue e, Tensor t, Map<Integer, Tensor> v) {
        int inputs = n.inputs().size();
        if (e.swiglu()) {
            int half = t.width() / 2;
            t = Kernels.swiglu(Kernels.slice(t, 0, half), Kernels.slice(t, half, half), kernels);
        }
        if (e.biases() > 0) {
            List<float[]> bs = new ArrayList<>();
            int first = e.firstBias(inputs);
            for (int i = first; i < first + e.biases(); i++) bs.add(vectors.get(n.input(i)));
            t = Kernels.biasAdd(t, bs);
        }
        if (e.rope() != null) {
            Epilogue.Rope r = e.rope();
            t = Kernels.rope(t, v.get(n.input(e.positionsInput(inputs))), r.heads(), r.headDim(), r.theta());
        }
        if (e.residual()) t = Kernels.add(v.get(n.input(e.residualInput(inputs))), t);
        return t;
    }

    private Tensor op(Node n, Map<Integer, Tensor> v, KvState state) {
        var a = n.attrs();
        return switch (n.op()) {
            case INPUT, PARAM -> throw new IllegalStateException();
            case EMBEDDING -> Kernels.embedding(matrices.get(n.input(0)), v.get(n.input(1)));
            case RMS_NORM -> Kernels.rmsNorm(v.get(n.input(0)), vectors.get(n.input(1)), a.getDouble("eps"), kernels);
            case HEAD_RMS_NORM -> Kernels.headRmsNorm(v.get(n.input(0)), vectors.get(n.input(1)), a.getInt("heads"), a.getInt("head_dim"), a.getDouble("eps"));
            case MATMUL -> Kernels.matmul(v.get(n.input(0)), products.get(n.id()));
            case RMS_NORM_MATMUL -> Kernels.matmul(Kernels.rmsNorm(v.get(n.input(0)), vectors.get(n.input(1)), a.getDouble("eps"), kernels), products.get(n.id()));
            case MATMUL_SWIGLU -> {
                // Gate and up in one product, then split: the gate is input 1, the up projections follow.
                Tensor t = Kernels.matmul(v.get(n.input(0)), products.get(n.id()));
                int gate = matrices.get(n.input(1)).rows();
                yield Kernels.swiglu(Kernels.slice(t, 0, gate), Kernels.slice(t, gate, t.width() - gate), kernels);
            }
            case BIAS_ADD -> {
                List<float[]> bs = new ArrayList<>();
                for (int i = 1; i < n.inputs().size(); i++) bs.add(vectors.get(n.input(i)));
                yield Kernels.biasAdd(v.get(n.input(0)), bs);
            }
            case ADD -> Kernels.add(v.get(n.input(0)), v.get(n.input(1)));
            case MUL -> Kernels.mul(v.get(n.input(0)), v.get(n.input(1)));
            case SILU -> Kernels.silu(v.get(n.input(0)));
            case SWIGLU -> Kernels.swiglu(v.get(n.input(0)), v.get(n.input(1)), kernels);
            case ROPE -> Kernels.rope(v.get(n.input(0)), v.get(n.input(1)), a.getInt("heads"), a.getInt("head_dim"), a.getDouble("theta"));
            case ATTENTION -> Kernels.attention(v.get(n.input(0)), v.get(n.input(1)), v.get(n.input(2)), v.get(n.input(3)),
                    a.getInt("heads"), a.getInt("kv_heads"), a.getInt("head_dim"), a.getInt("layer"), state, kernels);
            case SLICE -> Kernels.slice(v.get(n.input(0)), a.getInt("start"), a.getInt("size"));
        };
    }

    private List<Matrix> weights(Node n, int from) {
        List<Matrix> ws = new ArrayList<>();
        for (int i = from; i < Epilogue.baseInputs(n); i++) ws.add(matrices.get(n.input(i)));
        return ws;
    }

    static boolean isF32(Tensor t) {
        return t.dtype() == DataType.F32;
    }
}
