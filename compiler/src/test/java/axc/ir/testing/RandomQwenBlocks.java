package axc.ir.testing;

import axc.formats.dtype.DType;
import axc.ir.Attrs;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.SplittableRandom;

/**
 * Random small Qwen-like decoders, so the patterns fusion passes look for actually occur: one or two
 * layers of random sizes (hidden, heads, kv heads, head size, MLP width), q/k/v biases or not
 * (Qwen2 / Qwen3), Qwen3's per-head q/k norms or not, weights float or quantized per layer, the MLP
 * activation spelled {@code mul(silu(g), u)}, {@code mul(u, silu(g))} or {@code swiglu(g, u)}, and the
 * head on a final norm. Inputs {@code tokens} and {@code positions} as the frontend's; use
 * {@link RandomGraphs#params} and {@link RandomGraphs#inputs} to run them.
 */
public final class RandomQwenBlocks {
    private static final WeightScheme[] FLOAT = {WeightScheme.F32, new WeightScheme.Stored(DType.BF16), new WeightScheme.Stored(DType.F16)};
    private static final WeightScheme[] QUANTIZED = {new WeightScheme.Stored(DType.Q8_0), new WeightScheme.GptqInt4(32), new WeightScheme.Int8Channel(false)};

    private RandomQwenBlocks() {
    }

    public static Arbitrary<Graph> graphs() {
        return Arbitraries.longs().map(RandomQwenBlocks::build);
    }

    /** The decoder of one seed. Deterministic. */
    public static Graph build(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int headDim = 2 * (1 + r.nextInt(3));
        int kvHeads = 1 + r.nextInt(2);
        int heads = kvHeads * (1 + r.nextInt(2));
        int hidden = 4 * (1 + r.nextInt(3));
        int mlp = 4 * (1 + r.nextInt(4));
        int layers = 1 + r.nextInt(2);
        boolean bias = r.nextBoolean();
        boolean headNorm = r.nextInt(3) == 0;
        double eps = 1e-6;
        double theta = r.nextBoolean() ? 10000.0 : 1000000.0;
        GraphBuilder b = new GraphBuilder(headNorm ? "qwen3" : "qwen2");
        Dim t = Dim.sym("T");
        int tokens = b.input(RandomGraphs.TOKENS, TensorType.i32(t));
        int positions = b.input(RandomGraphs.POSITIONS, TensorType.i32(t));
        WeightScheme embedScheme = pick(r, FLOAT);
        int table = b.param("embed.weight", embedScheme, TensorType.f32(RandomGraphs.VOCAB, hidden));
        int x = b.op(Op.EMBEDDING, Attrs.of("scheme", embedScheme.spelling()), table, tokens);
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            WeightScheme s = r.nextInt(3) == 0 ? pick(r, QUANTIZED) : pick(r, FLOAT);
            Attrs sa = Attrs.of("scheme", s.spelling());
            int n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vec(b, p + "input_layernorm.weight", hidden));
            int q = b.op(Op.MATMUL, sa, n, b.param(p + "q_proj.weight", s, TensorType.f32(heads * headDim, hidden)));
            int k = b.op(Op.MATMUL, sa, n, b.param(p + "k_proj.weight", s, TensorType.f32(kvHeads * headDim, hidden)));
            int v = b.op(Op.MATMUL, sa, n, b.param(p + "v_proj.weight", s, TensorType.f32(kvHeads * headDim, hidden)));
            if (bias) {
                q = b.op(Op.BIAS_ADD, q, vec(b, p + "q_proj.bias", heads * headDim));
                k = b.op(Op.BIAS_ADD, k, vec(b, p + "k_proj.bias", kvHeads * headDim));
                v = b.op(Op.BIAS_ADD, v, vec(b, p + "v_proj.bias", kvHeads * headDim));
            }
            if (headNorm) {
                q = b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", heads, "head_dim", headDim, "eps", eps), q, vec(b, p + "q_norm.weight", headDim));
                k = b.op(Op.HEAD_RMS_NORM, Attrs.of("heads", kvHeads, "head_dim", headDim, "eps", eps), k, vec(b, p + "k_norm.weight", headDim));
            }
            q = b.op(Op.ROPE, Attrs.of("heads", heads, "head_dim", headDim, "theta", theta), q, positions);
            k = b.op(Op.ROPE, Attrs.of("heads", kvHeads, "head_dim", headDim, "theta", theta), k, positions);
            int att = b.op(Op.ATTENTION, Attrs.of("heads", heads, "kv_heads", kvHeads, "head_dim", headDim, "layer", l), q, k, v, positions);
            int o = b.op(Op.MATMUL, sa, att, b.param(p + "o_proj.weight", s, TensorType.f32(hidden, heads * headDim)));
            x = r.nextBoolean() ? b.op(Op.ADD, x, o) : b.op(Op.ADD, o, x);
            n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vec(b, p + "post_attention_layernorm.weight", hidden));
            int gate = b.op(Op.MATMUL, sa, n, b.param(p + "gate_proj.weight", s, TensorType.f32(mlp, hidden)));
            int up = b.op(Op.MATMUL, sa, n, b.param(p + "up_proj.weight", s, TensorType.f32(mlp, hidden)));
            int act = switch (r.nextInt(3)) {
                case 0 -> b.op(Op.MUL, b.op(Op.SILU, gate), up);
                case 1 -> b.op(Op.MUL, up, b.op(Op.SILU, gate));
                default -> b.op(Op.SWIGLU, gate, up);
            };
            int down = b.op(Op.MATMUL, sa, act, b.param(p + "down_proj.weight", s, TensorType.f32(hidden, mlp)));
            x = b.op(Op.ADD, x, down);
        }
        int n = b.op(Op.RMS_NORM, Attrs.of("eps", eps), x, vec(b, "norm.weight", hidden));
        WeightScheme hs = r.nextInt(3) == 0 ? pick(r, QUANTIZED) : embedScheme;
        String head = hs.equals(embedScheme) && r.nextBoolean() ? "embed.weight" : "lm_head.weight";
        int logits = b.op(Op.MATMUL, Attrs.of("scheme", hs.spelling()), n, b.param(head, hs, TensorType.f32(RandomGraphs.VOCAB, hidden)));
        return b.output(logits).build();
    }

    private static int vec(GraphBuilder b, String name, int n) {
        return b.param(name, WeightScheme.F32, TensorType.f32(n));
    }

    private static WeightScheme pick(SplittableRandom r, WeightScheme[] from) {
        return from[r.nextInt(from.length)];
    }
}
