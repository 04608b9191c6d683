package axc.testkit;

import axc.ir.Attrs;
import axc.ir.Dim;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import axc.ir.testing.RandomGraphs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The op-level cases: every op alone, and the weight-reading ops (and short chains around them) once per
 * weight scheme, at widths the scheme can store ({@link Schemes#width}). Inputs are named as
 * {@link RandomGraphs#inputs} fills them: {@code x} (and {@code r}, {@code q}, {@code k}, {@code v}) are
 * f32 activations, {@code tokens} ids below {@link RandomGraphs#VOCAB}, {@code positions} the rows' positions.
 */
public final class OpCases {
    /** One graph to check, named {@code op/scheme}. */
    public record Case(String name, Graph graph) {
        /** The weight schemes the graph's ops read (none for ops without weights). */
        public Set<WeightScheme> schemes() {
            return schemesOf(graph);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Dim T = Dim.sym("T");
    private static final double THETA = 10000.0;

    private OpCases() {
    }

    public static Set<WeightScheme> schemesOf(Graph g) {
        Set<WeightScheme> out = new LinkedHashSet<>();
        for (Node n : g.nodes()) if (n.op() != Op.PARAM && n.attrs().has("scheme")) out.add(n.scheme());
        return out;
    }

    /** Ops that read no weights (or only float vectors), with {@code vectors} the scheme of norm weights and biases. */
    public static List<Case> weightless(WeightScheme vectors) {
        List<Case> out = new ArrayList<>();
        int w = 24;
        out.add(one("rms_norm", c -> c.b.op(Op.RMS_NORM, Attrs.of("eps", 1e-6), c.x(w), c.b.param("norm.weight", vectors, TensorType.f32(w)))));
        out.add(one("head_rms_norm", c -> c.b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", 3, "head_dim", 8, "eps", 1e-6), c.x(w),
                c.b.param("q_norm.weight", vectors, TensorType.f32(8)))));
        out.add(one("rope", c -> c.b.op(Op.ROPE, Attrs.of("heads", 3, "head_dim", 8, "theta", THETA), c.x(w), c.positions())));
        out.add(one("rope-theta-1e6", c -> c.b.op(Op.ROPE, Attrs.of("heads", 6, "head_dim", 4, "theta", 1000000.0), c.x(w), c.positions())));
        out.add(one("silu", c -> c.b.op(Op.SILU, c.x(w))));
        out.add(one("swiglu", c -> c.b.op(Op.SWIGLU, c.x(w), c.input("r", TensorType.f32(T, w)))));
        out.add(one("add", c -> c.b.op(Op.ADD, c.x(w), c.input("r", TensorType.f32(T, w)))));
        out.add(one("mul", c -> c.b.op(Op.MUL, c.x(w), c.input("r", TensorType.f32(T, w)))));
        out.add(one("bias_add", c -> c.b.op(Op.BIAS_ADD, c.x(w), c.b.param("b0", vectors, TensorType.f32(16)), c.b.param("b1", vectors, TensorType.f32(8)))));
        out.add(one("slice", c -> c.b.op(Op.SLICE, Attrs.of("start", 5, "size", 11), c.x(w))));
        for (int[] h : new int[][]{{4, 4, 8}, {4, 2, 8}, {4, 1, 16}}) {
            int heads = h[0], kv = h[1], d = h[2];
            out.add(one("attention-h" + heads + "-kv" + kv + "-d" + d, c -> {
                int q = c.input("q", TensorType.f32(T, heads * d));
                int k = c.input("k", TensorType.f32(T, kv * d));
                int v = c.input("v", TensorType.f32(T, kv * d));
                return c.b.op(Op.ATTENTION, Attrs.of("heads", heads, "kv_heads", kv, "head_dim", d, "layer", 0), q, k, v, c.positions());
            }));
        }
        return out;
    }

    /** The ops that read weights stored as {@code s}, and short chains around them. */
    public static List<Case> withWeights(WeightScheme s, WeightScheme vectors) {
        String sp = s.spelling();
        Attrs sa = Attrs.of("scheme", sp);
        int k = Schemes.width(s);
        List<Case> out = new ArrayList<>();
        out.add(one("matmul/" + sp, c -> c.b.op(Op.MATMUL, sa, c.x(k), c.w("proj.weight", s, 24, k))));
        out.add(one("matmul-qkv/" + sp, c -> c.b.op(Op.MATMUL, sa, c.x(k), c.w("q_proj.weight", s, 32, k), c.w("k_proj.weight", s, 16, k),
                c.w("v_proj.weight", s, 16, k))));
        if (s instanceof WeightScheme.Stored) out.add(one("embedding/" + sp, c -> c.b.op(Op.EMBEDDING, sa, c.w("embed_tokens.weight", s, RandomGraphs.VOCAB, k),
                c.input(RandomGraphs.TOKENS, TensorType.i32(T)))));
        out.add(one("rms_norm_matmul/" + sp, c -> c.b.op(Op.RMS_NORM_MATMUL, Attrs.of("eps", 1e-6, "scheme", sp), c.x(k),
                c.b.param("norm.weight", vectors, TensorType.f32(k)), c.w("gate_proj.weight", s, 16, k), c.w("up_proj.weight", s, 16, k))));
        if (s.isFloat()) {
            out.add(one("rms_norm_matmul-fold_norm/" + sp, c -> c.b.op(Op.RMS_NORM_MATMUL, Attrs.of("eps", 1e-5, "scheme", sp, "fold_norm", true), c.x(k),
                    c.b.param("norm.weight", vectors, TensorType.f32(k)), c.w("proj.weight", s, 24, k))));
        }
        out.add(one("matmul_swiglu/" + sp, c -> c.b.op(Op.MATMUL_SWIGLU, sa, c.x(k), c.w("gate_proj.weight", s, 32, k), c.w("up_proj.weight", s, 32, k))));
        out.add(one("matmul+swiglu/" + sp, c -> c.b.op(Op.MATMUL, new Epilogue(true, 0, null, false).applyTo(sa), c.x(k),
                c.w("gate_proj.weight", s, 16, k), c.w("up_proj.weight", s, 16, k))));
        out.add(one("matmul+bias+rope+residual/" + sp, c -> {
            int x = c.x(k);
            int pos = c.positions();
            Attrs a = new Epilogue(false, 3, new Epilogue.Rope(6, 8, THETA), true).applyTo(sa);
            return c.b.op(Op.MATMUL, a, x, c.w("q_proj.weight", s, 32, k), c.w("k_proj.weight", s, 16, k), c.w("v_proj.weight", s, 16, k),
                    c.b.param("q_proj.bias", vectors, TensorType.f32(32)), c.b.param("k_proj.bias", vectors, TensorType.f32(16)),
                    c.b.param("v_proj.bias", vectors, TensorType.f32(16)), pos, c.input("r", TensorType.f32(T, 64)));
        }));
        out.add(one("rms_norm_matmul+swiglu+residual/" + sp, c -> {
            int x = c.x(k);
            Attrs a = new Epilogue(true, 0, null, true).applyTo(Attrs.of("eps", 1e-6, "scheme", sp));
            return c.b.op(Op.RMS_NORM_MATMUL, a, x, c.b.param("norm.weight", vectors, TensorType.f32(k)), c.w("gate_proj.weight", s, 24, k),
                    c.w("up_proj.weight", s, 24, k), c.input("r", TensorType.f32(T, 24)));
        }));
        out.add(one("matmul_swiglu+residual/" + sp, c -> c.b.op(Op.MATMUL_SWIGLU, new Epilogue(false, 0, null, true).applyTo(sa), c.x(k),
                c.w("gate_proj.weight", s, 16, k), c.w("up_proj.weight", s, 16, k), c.input("r", TensorType.f32(T, 16)))));
        // A decoder layer's attention half, unfused: norm, q/k/v projections with a bias, rope, attention (KV cache),
        // output projection, residual. Four heads of k/4 and two kv heads, so every matrix has k or k/2 columns.
        int d = k / 4;
        out.add(one("attention-block/" + sp, c -> {
            int x = c.x(k);
            int pos = c.positions();
            int n = c.b.op(Op.RMS_NORM, Attrs.of("eps", 1e-6), x, c.b.param("input_layernorm.weight", vectors, TensorType.f32(k)));
            int q = c.b.op(Op.BIAS_ADD, c.b.op(Op.MATMUL, sa, n, c.w("q_proj.weight", s, k, k)), c.b.param("q_proj.bias", vectors, TensorType.f32(k)));
            int kk = c.b.op(Op.MATMUL, sa, n, c.w("k_proj.weight", s, k / 2, k));
            int v = c.b.op(Op.MATMUL, sa, n, c.w("v_proj.weight", s, k / 2, k));
            q = c.b.op(Op.ROPE, Attrs.of("heads", 4, "head_dim", d, "theta", THETA), q, pos);
            kk = c.b.op(Op.ROPE, Attrs.of("heads", 2, "head_dim", d, "theta", THETA), kk, pos);
            int att = c.b.op(Op.ATTENTION, Attrs.of("heads", 4, "kv_heads", 2, "head_dim", d, "layer", 0), q, kk, v, pos);
            int o = c.b.op(Op.MATMUL, sa, att, c.w("o_proj.weight", s, k, k));
            return c.b.op(Op.ADD, x, o);
        }));
        return out;
    }

    private interface Body {
        int build(CaseBuilder c);
    }

    /** A graph builder that declares each input once. */
    private static final class CaseBuilder {
        final GraphBuilder b;
        private final java.util.Map<String, Integer> inputs = new java.util.HashMap<>();

        CaseBuilder(String name) {
            this.b = new GraphBuilder(name);
        }

        int input(String name, TensorType type) {
            return inputs.computeIfAbsent(name, n -> b.input(n, type));
        }

        int x(int width) {
            return input(RandomGraphs.X, TensorType.f32(T, width));
        }

        int positions() {
            return input(RandomGraphs.POSITIONS, TensorType.i32(T));
        }

        int w(String name, WeightScheme s, int rows, int cols) {
            return b.param(name, s, TensorType.f32(rows, cols));
        }
    }

    private static Case one(String name, Body body) {
        CaseBuilder c = new CaseBuilder(name.replaceAll("[^A-Za-z0-9_]", "_"));
        int out = body.build(c);
        return new Case(name, c.b.output(out).build());
    }
}
