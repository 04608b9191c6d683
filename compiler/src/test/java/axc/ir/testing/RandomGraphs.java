package axc.ir.testing;

import axc.formats.dtype.DType;
import axc.interp.ParamSource;
import axc.interp.Tensor;
import axc.ir.Attrs;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import axc.reference.DenseMatrix;
import axc.reference.Matrix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random valid graphs for property tests: a chain of steps over activations {@code f32[T,n]}, each
 * step one op (norms, matmuls with one or several weights, biases, residual adds, elementwise
 * activations, slices, rotary embeddings, attention with its own KV cache slot, and the fused forms)
 * applied to the latest value and, for binary ops, an earlier value of the same type. Graphs start
 * from an activation input or from an embedding of token ids; every graph has {@code positions}.
 *
 * <p>Each step is driven by one integer, so jqwik shrinks a failing graph by dropping steps. Pass
 * property tests pair {@link #graphs()} with {@link #params} and {@link #inputs} to run graphs on the
 * interpreter before and after a pass.
 */
public final class RandomGraphs {
    public static final String X = "x";
    public static final String TOKENS = "tokens";
    public static final String POSITIONS = "positions";
    public static final int VOCAB = 17;
    private static final int[] WIDTHS = {4, 8, 12, 16};
    private static final WeightScheme[] SCHEMES = {
            WeightScheme.F32, new WeightScheme.Stored(DType.BF16), new WeightScheme.Stored(DType.F16),
            new WeightScheme.Stored(DType.Q8_0), new WeightScheme.Stored(DType.Q4_K),
            new WeightScheme.GptqInt4(32), new WeightScheme.Int8Channel(false), new WeightScheme.Int8Channel(true)};

    private RandomGraphs() {
    }

    /** Graphs of 1 to {@code maxSteps} steps. */
    public static Arbitrary<Graph> graphs(int maxSteps) {
        return Combinators.combine(
                Arbitraries.integers().between(0, WIDTHS.length - 1),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(maxSteps)
        ).as((w, embed, steps) -> build(WIDTHS[w], embed, steps));
    }

    public static Arbitrary<Graph> graphs() {
        return graphs(12);
    }

    /** The graph of a width, a start (embedding or activation input) and step seeds. Deterministic. */
    public static Graph build(int width, boolean embed, List<Integer> steps) {
        GraphBuilder b = new GraphBuilder("random");
        Dim t = Dim.sym("T");
        int positions;
        int x;
        int params = 0;
        if (embed) {
            int tokens = b.input(TOKENS, TensorType.i32(t));
            positions = b.input(POSITIONS, TensorType.i32(t));
            WeightScheme s = SCHEMES[Math.floorMod(steps.getFirst(), SCHEMES.length)];
            int table = b.param("embed.weight", s, TensorType.f32(VOCAB, width));
            x = b.op(Op.EMBEDDING, Attrs.of("scheme", s.spelling()), table, tokens);
        } else {
            x = b.input(X, TensorType.f32(t, width));
            positions = b.input(POSITIONS, TensorType.i32(t));
        }
        List<Integer> values = new ArrayList<>(List.of(x));
        int slot = 0;
        for (int seed : steps) {
            SplittableRandom r = new SplittableRandom(seed);
            int cur = values.getLast();
            int n = (int) b.type(cur).last().size();
            String p = "w" + (params++);
            WeightScheme s = SCHEMES[r.nextInt(SCHEMES.length)];
            Attrs sa = Attrs.of("scheme", s.spelling());
            double eps = r.nextBoolean() ? 1e-6 : 1e-5;
            int out = switch (r.nextInt(14)) {
                case 0 -> b.op(Op.RMS_NORM, Attrs.of("eps", eps), cur, vec(b, p, n, r));
                case 1 -> b.op(Op.MATMUL, sa, cur, b.param(p, s, TensorType.f32(width(r), n)));
                case 2 -> {
                    int k = 2 + r.nextInt(2);
                    int[] in = new int[k + 1];
                    in[0] = cur;
                    for (int i = 0; i < k; i++) in[i + 1] = b.param(p + "." + i, s, TensorType.f32(width(r), n));
                    yield b.op(Op.MATMUL, sa, in);
                }
                case 3 -> b.op(Op.BIAS_ADD, cur, vec(b, p, n, r));
                case 4 -> b.op(Op.SILU, cur);
                case 5 -> b.op(Op.ADD, cur, sameType(b, values, cur, r));
                case 6 -> b.op(Op.MUL, cur, sameType(b, values, cur, r));
                case 7 -> b.op(Op.SWIGLU, sameType(b, values, cur, r), cur);
                case 8 -> {
                    int size = 1 + r.nextInt(n);
                    yield b.op(Op.SLICE, Attrs.of("start", r.nextInt(n - size + 1), "size", size), cur);
                }
                case 9 -> {
                    int hd = headDim(n, r);
                    if (hd == 0) yield b.op(Op.SILU, cur);
                    yield b.op(Op.ROPE, Attrs.of("heads", n / hd, "head_dim", hd, "theta", r.nextBoolean() ? 10000.0 : 1000000.0), cur, positions);
                }
                case 10 -> {
                    int hd = headDim(n, r);
                    if (hd == 0) yield b.op(Op.SILU, cur);
                    yield b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", n / hd, "head_dim", hd, "eps", eps), cur, b.param(p, WeightScheme.F32, TensorType.f32(hd)));
                }
                case 11 -> b.op(Op.RMS_NORM_MATMUL, Attrs.of("eps", eps, "scheme", s.spelling()), cur, vec(b, p + ".norm", n, r),
                        b.param(p, s, TensorType.f32(width(r), n)));
                case 12 -> {
                    int m = width(r);
                    yield b.op(Op.MATMUL_SWIGLU, sa, cur, b.param(p + ".gate", s, TensorType.f32(m, n)), b.param(p + ".up", s, TensorType.f32(m, n)));
                }
                default -> {
                    // Attention: q, k, v projected from the current value, GQA with 1 or 2 query heads per kv head.
                    int hd = 2 * (1 + r.nextInt(2));
                    int kvHeads = 1 + r.nextInt(2);
                    int heads = kvHeads * (1 + r.nextInt(2));
                    int q = b.op(Op.MATMUL, sa, cur, b.param(p + ".q", s, TensorType.f32(heads * hd, n)));
                    int k = b.op(Op.MATMUL, sa, cur, b.param(p + ".k", s, TensorType.f32(kvHeads * hd, n)));
                    int v = b.op(Op.MATMUL, sa, cur, b.param(p + ".v", s, TensorType.f32(kvHeads * hd, n)));
                    yield b.op(Op.ATTENTION, Attrs.of("heads", heads, "kv_heads", kvHeads, "head_dim", hd, "layer", slot++), q, k, v, positions);
                }
            };
            values.add(out);
        }
        b.output(values.getLast());
        if (steps.size() > 2 && Math.floorMod(steps.get(1), 3) == 0) b.output(values.get(values.size() / 2));
        return b.build();
    }

    private static int vec(GraphBuilder b, String name, int n, SplittableRandom r) {
        return b.param(name, r.nextBoolean() ? WeightScheme.F32 : new WeightScheme.Stored(DType.BF16), TensorType.f32(n));
    }

    private static int width(SplittableRandom r) {
        return WIDTHS[r.nextInt(WIDTHS.length)];
    }

    /** An even head size dividing {@code n} (0 if none). */
    private static int headDim(int n, SplittableRandom r) {
        List<Integer> c = new ArrayList<>();
        for (int d = 2; d <= n; d += 2) if (n % d == 0) c.add(d);
        return c.isEmpty() ? 0 : c.get(r.nextInt(c.size()));
    }

    private static int sameType(GraphBuilder b, List<Integer> values, int cur, SplittableRandom r) {
        List<Integer> c = new ArrayList<>();
        for (int v : values) if (b.type(v).equals(b.type(cur))) c.add(v);
        return c.get(r.nextInt(c.size()));
    }

    /**
     * Random weights for every param of {@code g} (normal values, scale 1/sqrt(cols)), as dense float32
     * whatever the scheme says: pass tests compare a graph with its rewritten form on the same weights.
     */
    public static ParamSource params(Graph g, long seed) {
        Map<String, Object> byName = new HashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        for (Node n : g.params()) {
            TensorType t = n.type();
            if (t.rank() == 2) {
                int rows = (int) t.dim(0).size();
                int cols = (int) t.dim(1).size();
                float[] d = new float[rows * cols];
                for (int i = 0; i < d.length; i++) d[i] = (float) (gaussian(r) / Math.sqrt(cols));
                byName.put(n.name(), new DenseMatrix(rows, cols, d));
            } else {
                float[] d = new float[(int) t.dim(0).size()];
                for (int i = 0; i < d.length; i++) d[i] = (float) (1 + 0.2 * gaussian(r));
                byName.put(n.name(), d);
            }
        }
        return new ParamSource() {
            @Override
            public Matrix matrix(String name, WeightScheme scheme) {
                return (Matrix) byName.get(name);
            }

            @Override
            public float[] vector(String name) {
                return (float[]) byName.get(name);
            }
        };
    }

    /** Inputs for a step of {@code tokens} rows at positions {@code start..}: random activations or token ids. */
    public static Map<String, Tensor> inputs(Graph g, int tokens, int start, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> in = new HashMap<>();
        for (Node n : g.graphInputs()) {
            if (n.type().dtype() == DataType.I32 && n.name().equals(POSITIONS)) {
                int[] p = new int[tokens];
                for (int i = 0; i < tokens; i++) p[i] = start + i;
                in.put(n.name(), Tensor.i32(p, tokens));
            } else if (n.type().dtype() == DataType.I32) {
                int[] ids = new int[tokens];
                for (int i = 0; i < tokens; i++) ids[i] = r.nextInt(VOCAB);
                in.put(n.name(), Tensor.i32(ids, tokens));
            } else {
                int w = (int) n.type().last().size();
                float[] x = new float[tokens * w];
                for (int i = 0; i < x.length; i++) x[i] = (float) gaussian(r);
                in.put(n.name(), Tensor.f32(x, tokens, w));
            }
        }
        return in;
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
