package axc.target;

import axc.interp.Tensor;
import axc.ir.Graph;

import java.util.List;
import java.util.Map;

/**
 * A loaded graph artifact (API 2): any verified graph, not only a language model, run on named input
 * tensors as the target would run it. This is the op-level face of a target: the conformance suite
 * compiles one-op graphs and short chains into artifacts and compares what this computes with
 * {@link axc.interp.Interpreter} on the same inputs and stored weights.
 */
public interface GraphExecutable extends AutoCloseable {
    /** The graph as loaded (after the target's lowering passes). */
    Graph graph();

    /** A fresh state: the KV cache of every {@code attention} slot, with room for {@code capacity} positions. */
    Session newSession(int capacity);

    /** The simulated time this executable's runs took, for a target that runs on a simulator; null otherwise. */
    default SimulatedClock simulated() {
        return null;
    }

    /** One state being stepped through: each run writes attention's keys and values at the rows' positions. */
    interface Session {
        /** Runs one step on {@code inputs} (by input name); returns the graph's outputs in order, as f32 or i32 tensors. */
        List<Tensor> run(Map<String, Tensor> inputs);

        /**
         * Like {@link #run}, for a caller that reads the last row of the outputs only (a prompt's logits
         * before generation): an output that is a plain row-wise product (a matmul, possibly with its
         * RMSNorm, no epilogue) and that nothing in the graph reads may come back as its last row. The
         * default computes every row.
         */
        default List<Tensor> runLastRow(Map<String, Tensor> inputs) {
            return run(inputs);
        }
    }

    @Override
    void close();
}
