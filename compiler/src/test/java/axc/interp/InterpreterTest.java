package axc.interp;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import axc.ir.testing.RandomGraphs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Fused ops give exactly what their unfused forms give; the KV cache refuses gaps and overflow. */
class InterpreterTest {
    static final WeightScheme S = WeightScheme.F32;

    static float[] run(Graph g, int tokens) {
        Interpreter i = new Interpreter(g, RandomGraphs.params(g, 7));
        return i.run(i.newState(8), RandomGraphs.inputs(g, tokens, 0, 11)).getFirst().floats();
    }

    /** x, a norm weight g and weights a[6,8], b[4,8], c[6,8] on an 8-wide input. */
    static GraphBuilder start(int[] ids) {
        GraphBuilder b = new GraphBuilder("fused");
        ids[0] = b.input(RandomGraphs.X, TensorType.f32("T", 8));
        ids[1] = b.param("g", S, TensorType.f32(8));
        ids[2] = b.param("a", S, TensorType.f32(6, 8));
        ids[3] = b.param("b", S, TensorType.f32(4, 8));
        ids[4] = b.param("c", S, TensorType.f32(6, 8));
        return b;
    }

    @Test
    void fusedFormsEqualTheirUnfusedForms() {
        Attrs sa = Attrs.of("scheme", "f32");
        int[] v = new int[5];
        // matmul over stacked weights, sliced == separate matmuls
        GraphBuilder b = start(v);
        int both = b.op(Op.MATMUL, sa, v[0], v[2], v[3]);
        Graph stacked = b.output(b.op(Op.SLICE, Attrs.of("start", 6, "size", 4), both)).build();
        b = start(v);
        Graph single = b.output(b.op(Op.MATMUL, sa, v[0], v[3])).build();
        assertArrayEquals(run(single, 3), run(stacked, 3), 0f);
        // rms_norm_matmul == rms_norm then matmul
        b = start(v);
        Graph fused = b.output(b.op(Op.RMS_NORM_MATMUL, sa.with("eps", 1e-6), v[0], v[1], v[2], v[3])).build();
        b = start(v);
        Graph plain = b.output(b.op(Op.MATMUL, sa, b.op(Op.RMS_NORM, Attrs.of("eps", 1e-6), v[0], v[1]), v[2], v[3])).build();
        assertArrayEquals(run(plain, 3), run(fused, 3), 0f);
        // matmul_swiglu == swiglu(matmul, matmul) == mul(silu(matmul), matmul)
        b = start(v);
        Graph ms = b.output(b.op(Op.MATMUL_SWIGLU, sa, v[0], v[2], v[4])).build();
        b = start(v);
        Graph sw = b.output(b.op(Op.SWIGLU, b.op(Op.MATMUL, sa, v[0], v[2]), b.op(Op.MATMUL, sa, v[0], v[4]))).build();
        b = start(v);
        Graph mul = b.output(b.op(Op.MUL, b.op(Op.SILU, b.op(Op.MATMUL, sa, v[0], v[2])), b.op(Op.MATMUL, sa, v[0], v[4]))).build();
        assertArrayEquals(run(mul, 3), run(sw, 3), 0f);
        assertArrayEquals(run(mul, 3), run(ms, 3), 0f);
    }

    @Test
    void kvCacheRefusesGapsAndOverflow() {
        GraphBuilder b = new GraphBuilder("att");
        int x = b.input(RandomGraphs.X, TensorType.f32("T", 4));
        int p = b.input(RandomGraphs.POSITIONS, TensorType.i32("T"));
        Graph g = b.output(b.op(Op.ATTENTION, Attrs.of("heads", 2, "kv_heads", 1, "head_dim", 2, "layer", 0),
                x, b.op(Op.SLICE, Attrs.of("start", 0, "size", 2), x), b.op(Op.SLICE, Attrs.of("start", 2, "size", 2), x), p)).build();
        Interpreter i = new Interpreter(g, RandomGraphs.params(g, 1));
        KvState s = i.newState(4);
        i.run(s, RandomGraphs.inputs(g, 3, 0, 1));
        assertEquals(3, s.length());
        assertThrows(IllegalStateException.class, () -> i.run(s, RandomGraphs.inputs(g, 1, 4, 1)));
        KvState t = i.newState(2);
        assertThrows(IllegalStateException.class, () -> i.run(t, RandomGraphs.inputs(g, 3, 0, 1)));
        Map<String, Tensor> wrong = RandomGraphs.inputs(g, 2, 0, 1);
        wrong.put(RandomGraphs.POSITIONS, Tensor.i32(new int[]{0, 1, 2}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.run(i.newState(4), wrong));
        assertEquals("input positions sets T = 3, another input set it to 2", e.getMessage());
    }
}
