package axc.target.cuda;

import axc.formats.dtype.DType;
import axc.ir.Dim;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.WeightScheme;
import axc.target.Support;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lowering of a graph to this target's kernels: which specialisations each node launches, and
 * whether the target runs a node at all ({@link #support}). The artifact stores the rendered source
 * and its binary; the runtime derives the same plan from {@code graph.axir}, so the two cannot
 * disagree.
 */
final class KernelPlan {
    /** Weight formats the kernels decode. */
    static final Set<DType> FORMATS = Set.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0);
    /** The widest head one merge block covers, one thread per feature. */
    static final int MAX_HEAD_DIM = 1024;

    private final Map<Integer, List<KernelSpec>> byNode = new LinkedHashMap<>();

    private KernelPlan() {
    }

    static KernelPlan of(Graph g) {
        KernelPlan p = new KernelPlan();
        for (Node n : g.nodes()) {
            Support s = support(g, n);
            if (!s.supported()) throw new IllegalArgumentException("node " + n.ref() + " (" + n.op().spelling() + "): " + s.reason());
            p.byNode.put(n.id(), specs(g, n));
        }
        return p;
    }

    /** The weight matrices of a matmul, in input order: after x (and an rms_norm_matmul's norm weight), before the epilogue's operands. */
    static List<Node> weights(Graph g, Node n) {
        int first = n.op() == Op.RMS_NORM_MATMUL ? 2 : 1;
        int end = n.op() == Op.MATMUL_SWIGLU ? 3 : Epilogue.baseInputs(n);
        List<Node> ws = new ArrayList<>(end - first);
        for (int i = first; i < end; i++) ws.add(g.node(n.input(i)));
        return ws;
    }

    /** Whether every weight of a matmul goes through the GEMV kernel at this row count (not the tensor-core GEMM). */
    static boolean gemvOnly(Graph g, Node n, int rows) {
        for (Node w : weights(g, n)) {
            if (LaunchShapes.useMma(dtype(w), (int) rows(w), (int) cols(w), rows)) return false;
        }
        return true;
    }

    /**
     * The rms_norms left to their readers in a step of {@code rows} rows: each reader takes the norm only
     * as the x of a GEMV, which normalizes on the way in, so the norm is never launched nor its value
     * written. A graph output is always written. {@link BufferPlan} keeps the norm's input live for its
     * readers.
     */
    static Set<Integer> deferredNorms(Graph g, int rows) {
        Map<Integer, List<Node>> readers = g.users();
        Set<Integer> out = new HashSet<>();
        for (Node r : g.nodes()) {
            if (r.op() != Op.RMS_NORM || g.outputs().contains(r.id())) continue;
            List<Node> rs = readers.getOrDefault(r.id(), List.of());
            boolean all = !rs.isEmpty();
            for (Node c : rs) {
                all &= (c.op() == Op.MATMUL || c.op() == Op.MATMUL_SWIGLU) && c.input(0) == r.id()
                        && !c.inputs().subList(1, c.inputs().size()).contains(r.id()) && gemvOnly(g, c, rows);
            }
            if (all) out.add(r.id());
        }
        return out;
    }

    /** Every distinct specialisation the graph needs. */
    List<KernelSpec> specs() {
        return byNode.values().stream().flatMap(List::stream).distinct().toList();
    }

    List<KernelSpec> specs(Node n) {
        return byNode.getOrDefault(n.id(), List.of());
    }

    /**
     * Whether the kernels run {@code n}: weight formats, block-aligned rows, head sizes, epilogue stages.
     * Without the graph ({@code g} null, as {@code Target.supports} asks) the weights are judged by the
     * node's {@code scheme} and their row length is left to {@link #of}.
     */
    static Support support(Graph g, Node n) {
        return switch (n.op()) {
            case INPUT, PARAM, ADD, MUL, SILU, SWIGLU, BIAS_ADD, SLICE, RMS_NORM, HEAD_RMS_NORM -> Support.yes();
            case EMBEDDING -> weights(g, n, 0, 1);
            case MATMUL -> weights(g, n, 1, Epilogue.baseInputs(n));
            case RMS_NORM_MATMUL -> weights(g, n, 2, Epilogue.baseInputs(n));
            case MATMUL_SWIGLU -> {
                Epilogue e = Epilogue.of(n);
                if (e.biases() > 0 || e.rope() != null) yield Support.no("matmul_swiglu with a bias or rope stage has no kernel here");
                yield weights(g, n, 1, 3);
            }
            case ROPE -> {
                int d = n.attrs().getInt("head_dim");
                yield d % 2 == 0 ? Support.yes() : Support.no("rope over an odd head size " + d);
            }
            case ATTENTION -> {
                int d = n.attrs().getInt("head_dim"), heads = n.attrs().getInt("heads"), kv = n.attrs().getInt("kv_heads");
                if (d > MAX_HEAD_DIM) yield Support.no("attention head size " + d + " is past " + MAX_HEAD_DIM);
                if (kv <= 0 || heads % kv != 0) yield Support.no("attention with " + heads + " heads over " + kv + " kv heads");
                yield Support.yes();
            }
        };
    }

    /** The weights {@code n.inputs()[from, to)} are in a decoded format, with rows of whole 32-element blocks. */
    private static Support weights(Graph g, Node n, int from, int to) {
        Epilogue e = Epilogue.of(n);
        if (e.rope() != null && e.rope().headDim() % 2 != 0) return Support.no("rope over an odd head size " + e.rope().headDim());
        if (g == null) {
            WeightScheme s = n.scheme();
            if (s instanceof WeightScheme.Stored st && FORMATS.contains(st.dtype())) return Support.yes();
            return Support.no("weight scheme " + s.spelling() + " has no kernel here (f32, f16, bf16, q8_0, q4_0 do)");
        }
        for (int i = from; i < to; i++) {
            Node w = g.node(n.input(i));
            if (w.op() != Op.PARAM) return Support.no("weight " + w.ref() + " is computed, not a param");
            WeightScheme s = w.scheme();
            if (!(s instanceof WeightScheme.Stored st) || !FORMATS.contains(st.dtype())) {
                return Support.no("weight scheme " + s.spelling() + " has no kernel here (f32, f16, bf16, q8_0, q4_0 do)");
            }
            long k = cols(w);
            if (k % 32 != 0) return Support.no("rows of " + k + " are not whole 32-element blocks");
        }
        return Support.yes();
    }

    private static List<KernelSpec> specs(Graph g, Node n) {
        List<KernelSpec> out = new ArrayList<>();
        switch (n.op()) {
            case EMBEDDING -> {
                Node t = g.node(n.input(0));
                out.add(KernelSpec.of(KernelSpec.Template.EMBEDDING, dtype(t), (int) cols(t)));
            }
            case RMS_NORM -> out.add(KernelSpec.of(KernelSpec.Template.RMS_NORM, (int) width(n)));
            case HEAD_RMS_NORM -> out.add(KernelSpec.of(KernelSpec.Template.RMS_NORM, n.attrs().getInt("head_dim")));
            case MATMUL, RMS_NORM_MATMUL -> {
                if (n.op() == Op.RMS_NORM_MATMUL) out.add(KernelSpec.of(KernelSpec.Template.RMS_NORM, (int) width(g.node(n.input(0)))));
                List<Node> ws = weights(g, n);
                for (Node w : ws) {
                    int k = (int) cols(w);
                    out.add(KernelSpec.of(KernelSpec.Template.GEMV, dtype(w), k));
                    if (dtype(w) == DType.F16 || dtype(w) == DType.BF16) out.add(KernelSpec.of(KernelSpec.Template.GEMM_MMA, dtype(w), k));
                }
                if (swigluGemv(n, ws)) out.add(KernelSpec.of(KernelSpec.Template.GEMV_SWIGLU, dtype(ws.get(0)), (int) cols(ws.get(0))));
                Epilogue.Rope r = Epilogue.of(n).rope();
                if (r != null) out.add(KernelSpec.of(KernelSpec.Template.ROPE, r.headDim()));
            }
            case MATMUL_SWIGLU -> {
                Node w = g.node(n.input(1));
                out.add(KernelSpec.of(KernelSpec.Template.GEMV_SWIGLU, dtype(w), (int) cols(w)));
            }
            case ROPE -> out.add(KernelSpec.of(KernelSpec.Template.ROPE, n.attrs().getInt("head_dim")));
            case ATTENTION -> {
                int d = n.attrs().getInt("head_dim");
                out.add(KernelSpec.of(KernelSpec.Template.ATTENTION_SPLIT, d));
                out.add(KernelSpec.of(KernelSpec.Template.ATTENTION_MERGE, d));
            }
            default -> {
                // elementwise ops and inputs use the fixed entry points (axc_add, ...) or none
            }
        }
        return out;
    }

    /**
     * Whether a matmul with a swiglu stage runs as one fused gate/up GEMV when its weights take the GEMV
     * path: exactly two weights (gate, up) of one format, each {@code n} rows, and no bias or rope stage.
     */
    static boolean swigluGemv(Node n, List<Node> weights) {
        Epilogue e = Epilogue.of(n);
        if (!e.swiglu() || e.biases() > 0 || e.rope() != null || weights.size() != 2) return false;
        Node g = weights.get(0), u = weights.get(1);
        long width = width(n);
        return dtype(g) == dtype(u) && cols(g) == cols(u) && rows(g) == width && rows(u) == width;
    }

    static DType dtype(Node param) {
        return ((WeightScheme.Stored) param.scheme()).dtype();
    }

    /** K: the stored row length of a [N, K] weight (the embedding table's hidden size). */
    static long cols(Node param) {
        return fixed(param.type().last(), param);
    }

    /** N: the rows of a [N, K] weight. */
    static long rows(Node param) {
        return fixed(param.type().dim(0), param);
    }

    /** The innermost (feature) size of a value. */
    static long width(Node value) {
        return fixed(value.type().last(), value);
    }

    private static long fixed(Dim d, Node n) {
        if (d instanceof Dim.Fixed f) return f.size();
        throw new IllegalArgumentException(n.ref() + ": symbolic feature size " + d);
    }
}
