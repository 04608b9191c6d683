package axc.interp;

import axc.ir.Graph;
import axc.ir.testing.RandomGraphs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Every op works row by row and attention is causal, so running T rows in one step gives exactly
 * what T one-row steps give (the KV cache carrying the earlier rows), on any graph.
 */
class InterpreterProperties {
    @Provide
    Arbitrary<Graph> graphs() {
        return RandomGraphs.graphs(10);
    }

    @Property(tries = 100)
    void oneStepOfTRowsEqualsTStepsOfOneRow(@ForAll("graphs") Graph g, @ForAll @IntRange(min = 1, max = 5) int rows) {
        Interpreter in = new Interpreter(g, RandomGraphs.params(g, 3));
        Map<String, Tensor> all = RandomGraphs.inputs(g, rows, 0, 5);
        List<Tensor> whole = in.run(in.newState(rows), all);
        KvState s = in.newState(rows);
        for (int r = 0; r < rows; r++) {
            List<Tensor> one = in.run(s, rowOf(all, r));
            for (int o = 0; o < whole.size(); o++) {
                assertArrayEquals(whole.get(o).row(r), one.get(o).floats(), 0f, "output " + o + " row " + r);
            }
        }
    }

    static Map<String, Tensor> rowOf(Map<String, Tensor> all, int r) {
        Map<String, Tensor> m = new java.util.HashMap<>();
        all.forEach((k, t) -> {
            if (t.ints() != null) m.put(k, Tensor.i32(new int[]{t.ints()[r]}, 1));
            else m.put(k, Tensor.f32(t.row(r), 1, t.width()));
        });
        return m;
    }
}
