package axc.example.scalar;

import axc.interp.ParamSource;
import axc.interp.Tensor;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.reference.Matrix;
import axc.target.GraphExecutable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph (or a segment of one) run node by node on float32 rows. Weights are decoded to float32 once,
 * at load, from whatever scheme stores them; sums are taken in double, as the interpreter takes them,
 * so the results agree with it to float rounding. No op here keeps state, so a session is only the
 * graph's inputs.
 */
final class ScalarGraph implements GraphExecutable {
    private final Graph graph;
    private final Map<Integer, float[][]> matrices = new HashMap<>();
    private final Map<Integer, float[]> vectors = new HashMap<>();

    ScalarGraph(Graph graph, ParamSource params) {
        this.graph = graph;
        for (Node n : graph.nodes()) {
            if (n.op() == Op.MATMUL) {
                for (int i = 1; i < n.inputs().size(); i++) {
                    Node w = graph.node(n.input(i));
                    matrices.computeIfAbsent(w.id(), k -> decode(params.matrix(w.name(), w.scheme())));
                }
            } else if (n.op() == Op.RMS_NORM || n.op() == Op.BIAS_ADD) {
                for (int i = 1; i < n.inputs().size(); i++) {
                    Node v = graph.node(n.input(i));
                    vectors.computeIfAbsent(v.id(), k -> params.vector(v.name()));
                }
            }
        }
    }

    private static float[][] decode(Matrix m) {
        float[][] rows = new float[m.rows()][m.cols()];
        for (int r = 0; r < rows.length; r++) m.row(r, rows[r]);
        return rows;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Session newSession(int capacity) {
        return this::run;
    }

    @Override
    public void close() {
        // nothing held: the weights are decoded copies, the bundle belongs to the caller
    }

    private List<Tensor> run(Map<String, Tensor> inputs) {
        Map<Integer, Tensor> v = new HashMap<>();
        for (Node n : graph.nodes()) {
            if (n.op() == Op.PARAM) continue;
            if (n.op() == Op.INPUT) {
                Tensor t = inputs.get(n.name());
                if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
                v.put(n.id(), t);
            } else {
                v.put(n.id(), step(n, v));
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (int o : graph.outputs()) out.add(v.get(o));
        return out;
    }

    /** One node's value from its inputs' values. */
    private Tensor step(Node n, Map<Integer, Tensor> v) {
        Tensor x = v.get(n.input(0));
        int rows = x.rows(), width = x.width();
        float[] a = x.floats();
        return switch (n.op()) {
            case ADD -> map(x, v.get(n.input(1)), (p, q) -> p + q);
            case MUL -> map(x, v.get(n.input(1)), (p, q) -> p * q);
            case SILU -> map(x, x, (p, q) -> silu(p));
            case SWIGLU -> map(x, v.get(n.input(1)), (g, u) -> silu(g) * u);
            case RMS_NORM -> {
                float[] g = vectors.get(n.input(1)), y = new float[a.length];
                double eps = n.attrs().getDouble("eps");
                for (int r = 0; r < rows; r++) {
                    double ss = 0;
                    for (int i = 0; i < width; i++) ss += (double) a[r * width + i] * a[r * width + i];
                    float inv = (float) (1.0 / Math.sqrt(ss / width + eps));
                    for (int i = 0; i < width; i++) y[r * width + i] = g[i] * (a[r * width + i] * inv);
                }
                yield Tensor.f32(y, shape(n, rows));
            }
            case MATMUL -> {
                int[] shape = shape(n, rows);
                int features = shape[shape.length - 1];
                float[] y = new float[rows * features];
                int col = 0;
                for (int i = 1; i < n.inputs().size(); i++) {
                    float[][] w = matrices.get(n.input(i));
                    for (int r = 0; r < rows; r++) {
                        for (int f = 0; f < w.length; f++) {
                            double s = 0;
                            for (int k = 0; k < width; k++) s += (double) a[r * width + k] * w[f][k];
                            y[r * features + col + f] = (float) s;
                        }
                    }
                    col += w.length;
                }
                yield Tensor.f32(y, shape);
            }
            case BIAS_ADD -> {
                float[] y = a.clone();
                int at = 0;
                for (int i = 1; i < n.inputs().size(); i++) {
                    float[] b = vectors.get(n.input(i));
                    for (int r = 0; r < rows; r++) for (int j = 0; j < b.length; j++) y[r * width + at + j] += b[j];
                    at += b.length;
                }
                yield Tensor.f32(y, x.shape());
            }
            case SLICE -> {
                int start = n.attrs().getInt("start"), size = n.attrs().getInt("size");
                float[] y = new float[rows * size];
                for (int r = 0; r < rows; r++) System.arraycopy(a, r * width + start, y, r * size, size);
                yield Tensor.f32(y, shape(n, rows));
            }
            default -> throw new IllegalStateException("scalar: no kernel for " + n.op().spelling() + " (supports() should have refused it)");
        };
    }

    private interface Binary {
        float apply(float a, float b);
    }

    private static Tensor map(Tensor x, Tensor y, Binary f) {
        if (x.dtype() != DataType.F32 || y.floats().length != x.floats().length) throw new IllegalArgumentException("element-wise op over different shapes");
        float[] a = x.floats(), b = y.floats(), out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = f.apply(a[i], b[i]);
        return Tensor.f32(out, x.shape());
    }

    /** SiLU as the interpreter computes it (in double, rounded once). */
    private static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** The node's declared shape with its symbolic dimension (the step's rows) filled in. */
    private static int[] shape(Node n, int rows) {
        List<Dim> dims = n.type().shape();
        int[] s = new int[dims.size()];
        for (int i = 0; i < s.length; i++) s[i] = dims.get(i) instanceof Dim.Fixed f ? (int) f.size() : rows;
        return s;
    }
}
