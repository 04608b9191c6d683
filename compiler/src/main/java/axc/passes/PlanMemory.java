package axc.passes;

import axc.ir.Graph;
import axc.ir.Node;
import axc.pass.MemoryPlan;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns every activation a buffer, reusing a buffer once the value in it is dead.
 *
 * <p>Runs last. Liveness is by node order: a value lives from its definition to its last use (graph
 * outputs to the end; a value nobody reads dies at once). Walking the nodes in order, each value takes
 * the free buffer that fits it most tightly (else the largest free one, which grows; else a new one);
 * after the node, the buffers of inputs it read for the last time are free again. A value never shares
 * a buffer with an input of its own node (kernels need not work in place). Sizes are compared at
 * {@code tokens} (the option {@value #TOKENS}, default 128) tokens per step; the plan itself holds for
 * any {@code T}. Weights ({@code param}) are not activations and get no buffer.
 *
 * <p>Produces: the same graph with a {@code buffer} attribute on every activation (read back with
 * {@link MemoryPlan#of}); the plan is also put in the context, and the log reports the peak activation
 * bytes at {@code tokens} against the sum of all activation sizes.
 */
public final class PlanMemory implements Pass {
    public static final String TOKENS = "tokens";

    @Override
    public Graph run(Graph g, PassContext ctx) {
        long tokens = ctx.longOption(TOKENS, 128);
        List<Node> nodes = g.nodes();
        Map<Integer, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) for (int in : nodes.get(i).inputs()) lastUse.put(in, i);
        for (int o : g.outputs()) lastUse.put(o, Integer.MAX_VALUE);
        Map<Integer, Integer> buffer = new HashMap<>();
        List<Long> size = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Node planned = n.attrs().has(MemoryPlan.BUFFER) ? n.withAttrs(n.attrs().without(MemoryPlan.BUFFER)) : n;
            if (!MemoryPlan.isActivation(n)) {
                out.add(planned);
                continue;
            }
            long bytes = MemoryPlan.bytes(n.type(), tokens);
            int b = pick(free, size, bytes);
            if (b < 0) {
                b = size.size();
                size.add(bytes);
            } else {
                free.remove(Integer.valueOf(b));
                size.set(b, Math.max(size.get(b), bytes));
            }
            buffer.put(n.id(), b);
            out.add(planned.withAttrs(planned.attrs().with(MemoryPlan.BUFFER, b)));
            for (int in : n.inputs().stream().distinct().toList()) {
                Integer ib = buffer.get(in);
                if (ib != null && lastUse.get(in) == i) free.add(ib);
            }
            if (!lastUse.containsKey(n.id())) free.add(b);
        }
        Graph planned = new Graph(g.name(), out, g.outputs());
        MemoryPlan plan = MemoryPlan.of(planned);
        ctx.put(MemoryPlan.class, plan);
        ctx.log(String.format(java.util.Locale.ROOT, "%d activations in %d buffers; peak %d bytes at T=%d (all activations: %d bytes)",
                buffer.size(), plan.bufferCount(), plan.peakBytes(planned, tokens), tokens, MemoryPlan.totalActivationBytes(planned, tokens)));
        return planned;
    }

    /** The free buffer fitting {@code bytes} most tightly, else the largest free one, else -1. */
    private static int pick(List<Integer> free, List<Long> size, long bytes) {
        int fit = -1;
        int largest = -1;
        for (int b : free) {
            long s = size.get(b);
            if (s >= bytes && (fit < 0 || s < size.get(fit))) fit = b;
            if (largest < 0 || s > size.get(largest)) largest = b;
        }
        return fit >= 0 ? fit : largest;
    }
}
