package axc.pass;

import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each activation lives: node id to buffer id, as {@code axc.passes.PlanMemory} assigns them and
 * records them in each node's {@code buffer} attribute (so the plan travels with the graph in the
 * bundle). Values sharing a buffer are never live at the same time; a buffer is as large as its largest
 * value, which for symbolic shapes depends on the number of tokens {@code T} of a step.
 */
public record MemoryPlan(Map<Integer, Integer> buffers) {
    /** The node attribute holding a value's buffer id. */
    public static final String BUFFER = "buffer";

    public MemoryPlan {
        buffers = Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    }

    /** The plan recorded in {@code g}'s {@code buffer} attributes; empty when it has none. */
    public static MemoryPlan of(Graph g) {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (Node n : g.nodes()) if (n.attrs().has(BUFFER)) m.put(n.id(), n.attrs().getInt(BUFFER));
        return new MemoryPlan(m);
    }

    public boolean isEmpty() {
        return buffers.isEmpty();
    }

    public int bufferCount() {
        return (int) buffers.values().stream().distinct().count();
    }

    /** Each buffer's size in bytes for steps of {@code tokens} tokens. */
    public Map<Integer, Long> bufferBytes(Graph g, long tokens) {
        Map<Integer, Long> size = new TreeMap<>();
        for (var e : buffers.entrySet()) size.merge(e.getValue(), bytes(g.node(e.getKey()).type(), tokens), Math::max);
        return size;
    }

    /** Bytes of activation memory the plan needs for steps of {@code tokens} tokens: the sum of its buffers. */
    public long peakBytes(Graph g, long tokens) {
        return bufferBytes(g, tokens).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether {@code n} is an activation (every value but the weights). */
    public static boolean isActivation(Node n) {
        return n.op() != Op.PARAM;
    }

    /** Bytes of a value of type {@code t}, every symbolic dim bound to {@code tokens}. */
    public static long bytes(TensorType t, long tokens) {
        long n = elementBytes(t.dtype());
        for (Dim d : t.shape()) n = Math.multiplyExact(n, d.isFixed() ? d.size() : tokens);
        return n;
    }

    public static long elementBytes(DataType d) {
        return switch (d) {
            case F32, I32 -> 4;
            case F16, BF16 -> 2;
            case I8 -> 1;
        };
    }

    /** The sum of the sizes of all activations of {@code g}: what a graph without buffer reuse allocates. */
    public static long totalActivationBytes(Graph g, long tokens) {
        long s = 0;
        for (Node n : g.nodes()) if (isActivation(n)) s += bytes(n.type(), tokens);
        return s;
    }
}
