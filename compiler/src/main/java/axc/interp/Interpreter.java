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
    /** Per node id: params' matrices and vectors, and what each node needs at run time, resolved once. */
    private final Matrix[] matrices;
    private final float[][] vectors;
    /** Each matmul-family node's weights as one product ({@link ParamSource#product}); a SwiGLU's gate first. */
    private final Matrix[] products;
    /** Each node's biases (a {@code bias_add}'s, or its epilogue's), in order. */
    private final float[][][] biases;
    private final Epilogue[] epilogues;
    /** The id of the node that reads each value last ({@link Integer#MAX_VALUE} for the graph's outputs). */
    private final int[] lastUse;
    /** Whether a value's array is the interpreter's own (not an input's, a param's or an output's), to reuse after its last read. */
    private final boolean[] owned;
    private final int slots;
    private final OpKernels kernels;

    public Interpreter(Graph graph, ParamSource params) {
        Verifier.verify(graph);
        this.graph = graph;
        this.kernels = params.kernels();
        int ids = 0;
        for (Node n : graph.nodes()) ids = Math.max(ids, n.id() + 1);
        this.slots = ids;
        this.matrices = new Matrix[ids];
        this.vectors = new float[ids][];
        this.products = new Matrix[ids];
        this.biases = new float[ids][][];
        this.epilogues = new Epilogue[ids];
        this.lastUse = new int[ids];
        this.owned = new boolean[ids];
        for (Node n : graph.nodes()) {
            for (int in : n.inputs()) lastUse[in] = n.id();
            owned[n.id()] = n.op() != Op.PARAM && n.op() != Op.INPUT;
            if (n.op() != Op.PARAM) continue;
            if (n.type().rank() == 2) {
                Matrix m = params.matrix(n.name(), n.scheme());
                if (m.rows() != n.type().dim(0).size() || m.cols() != n.type().dim(1).size()) {
                    throw new InvalidInputException("tensor " + n.name() + " is " + m.rows() + " x " + m.cols() + ", the graph expects " + n.type());
                }
                matrices[n.id()] = m;
            } else {
                float[] v = params.vector(n.name());
                if (v.length != n.type().dim(0).size()) throw new InvalidInputException("tensor " + n.name() + " has " + v.length + " elements, the graph expects " + n.type());
                vectors[n.id()] = v;
            }
        }
        for (Node n : graph.nodes()) {
            int from = switch (n.op()) {
                case MATMUL, MATMUL_SWIGLU -> 1;
                case RMS_NORM_MATMUL -> 2;
                default -> -1;
            };
            if (from > 0) products[n.id()] = params.product(weights(n, from));
            epilogues[n.id()] = Epilogue.of(n);
            if (n.op() == Op.BIAS_ADD) biases[n.id()] = vectorsOf(n, 1, n.inputs().size());
            else if (epilogues[n.id()].biases() > 0) {
                int first = epilogues[n.id()].firstBias(n.inputs().size());
                biases[n.id()] = vectorsOf(n, first, first + epilogues[n.id()].biases());
            }
        }
        for (int o : graph.outputs()) {
            lastUse[o] = Integer.MAX_VALUE;
            owned[o] = false;
        }
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
        Tensor[] values = state.values(slots);
        FloatArrays arrays = state.arrays();
        Map<String, Integer> symbols = new HashMap<>();
        try {
            for (Node n : graph.nodes()) {
                Tensor out = switch (n.op()) {
                    case PARAM -> null;
                    case INPUT -> input(n, inputs, symbols);
                    default -> lastRow && rowWiseOutput(n) ? evalLastRow(n, values, state) : eval(n, values, state);
                };
                if (out != null) values[n.id()] = out;
                // Values this node read last go back to the arrays (inputs and params are not the interpreter's).
                for (int in : n.inputs()) {
                    Tensor t = values[in];
                    if (t == null || lastUse[in] != n.id()) continue;
                    values[in] = null;
                    if (owned[in] && t.floats() != null) arrays.give(t.floats());
                }
            }
            List<Tensor> outs = new ArrayList<>(graph.outputs().size());
            for (int o : graph.outputs()) outs.add(values[o]);
            return outs;
        } finally {
            java.util.Arrays.fill(values, null);
        }
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
        return Epilogue.narrowable(n.op(), epilogues[n.id()]) && lastUse[n.id()] == Integer.MAX_VALUE;
    }

    /** {@code n} on the last row of its activation input (input 0). */
    private Tensor evalLastRow(Node n, Tensor[] v, KvState state) {
        Tensor x = v[n.input(0)];
        if (x.rows() <= 1 || x.rank() != 2) return eval(n, v, state);
        v[n.input(0)] = Tensor.f32(x.row(x.rows() - 1), 1, x.width());
        try {
            return eval(n, v, state);
        } finally {
            v[n.input(0)] = x;
        }
    }

    private Tensor eval(Node n, Tensor[] v, KvState state) {
        Tensor t = op(n, v, state);
        Epilogue e = epilogues[n.id()];
        return e == null || e.isEmpty() ? t : epilogue(n, e, t, v, state.arrays());
    }

    /**
     * A matmul-family op's epilogue, stage by stage with the kernels of the ops it replaces, so a fused
     * graph computes exactly what its unfused form does.
     */
    private Tensor epilogue(Node n, Epilogue e, Tensor t, Tensor[] v, FloatArrays arrays) {
        // t is this node's own fresh output: the stages after the SwiGLU work on it in place.
        int inputs = n.inputs().size();
        if (e.swiglu()) {
            Tensor s = Kernels.swiglu(t, t.width() / 2, kernels, arrays);
            arrays.give(t.floats());
            t = s;
        }
        if (e.biases() > 0) Kernels.biasAddInPlace(t, biases[n.id()]);
        if (e.rope() != null) {
            Epilogue.Rope r = e.rope();
            Kernels.ropeInPlace(t, v[n.input(e.positionsInput(inputs))], r.heads(), r.headDim(), r.theta());
        }
        if (e.residual()) Kernels.addInPlace(v[n.input(e.residualInput(inputs))], t);
        return t;
    }

    private Tensor op(Node n, Tensor[] v, KvState state) {
        var a = n.attrs();
        FloatArrays f = state.arrays();
        int id = n.id();
        return switch (n.op()) {
            case INPUT, PARAM -> throw new IllegalStateException();
            case EMBEDDING -> Kernels.embedding(matrices[n.input(0)], v[n.input(1)], f);
            case RMS_NORM -> Kernels.rmsNorm(v[n.input(0)], vectors[n.input(1)], a.getDouble("eps"), kernels, f);
            case HEAD_RMS_NORM -> Kernels.headRmsNorm(v[n.input(0)], vectors[n.input(1)], a.getInt("heads"), a.getInt("head_dim"), a.getDouble("eps"), f);
            case MATMUL -> Kernels.matmul(v[n.input(0)], products[id], f);
            case RMS_NORM_MATMUL -> {
                Tensor x = Kernels.rmsNorm(v[n.input(0)], vectors[n.input(1)], a.getDouble("eps"), kernels, f);
                Tensor t = Kernels.matmul(x, products[id], f);
                f.give(x.floats());
                yield t;
            }
            case MATMUL_SWIGLU -> {
                // Gate and up in one product, then split: the gate is input 1, the up projections follow.
                Tensor t = Kernels.matmul(v[n.input(0)], products[id], f);
                Tensor s = Kernels.swiglu(t, matrices[n.input(1)].rows(), kernels, f);
                f.give(t.floats());
                yield s;
            }
            case BIAS_ADD -> Kernels.biasAdd(v[n.input(0)], biases[id], f);
            case ADD -> Kernels.add(v[n.input(0)], v[n.input(1)], f);
            case MUL -> Kernels.mul(v[n.input(0)], v[n.input(1)], f);
            case SILU -> Kernels.silu(v[n.input(0)], f);
            case SWIGLU -> Kernels.swiglu(v[n.input(0)], v[n.input(1)], kernels, f);
            case ROPE -> Kernels.rope(v[n.input(0)], v[n.input(1)], a.getInt("heads"), a.getInt("head_dim"), a.getDouble("theta"), f);
            case ATTENTION -> Kernels.attention(v[n.input(0)], v[n.input(1)], v[n.input(2)], v[n.input(3)],
                    a.getInt("heads"), a.getInt("kv_heads"), a.getInt("head_dim"), a.getInt("layer"), state, kernels, f);
            case SLICE -> Kernels.slice(v[n.input(0)], a.getInt("start"), a.getInt("size"), f);
        };
    }

    private List<Matrix> weights(Node n, int from) {
        List<Matrix> ws = new ArrayList<>();
        for (int i = from; i < Epilogue.baseInputs(n); i++) ws.add(matrices[n.input(i)]);
        return ws;
    }

    private float[][] vectorsOf(Node n, int from, int to) {
        float[][] vs = new float[to - from][];
        for (int i = from; i < to; i++) vs[i - from] = vectors[n.input(i)];
        return vs;
    }

    static boolean isF32(Tensor t) {
        return t.dtype() == DataType.F32;
    }
}
