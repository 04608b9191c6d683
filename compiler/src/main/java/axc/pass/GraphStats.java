package axc.pass;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a graph costs, for reports and for checking that passes help: how many ops of each kind it has
 * (inputs and params are not ops), the bytes of all its activations, and the peak activation bytes of
 * its memory plan (when {@code PlanMemory} has run) for steps of {@code tokens} tokens.
 */
public record GraphStats(Map<Op, Integer> opCounts, int ops, long activationBytes, long peakActivationBytes, long tokens) {
    public static GraphStats of(Graph g, long tokens) {
        Map<Op, Integer> counts = new EnumMap<>(Op.class);
        int total = 0;
        for (Node n : g.nodes()) {
            if (n.op() == Op.INPUT || n.op() == Op.PARAM) continue;
            counts.merge(n.op(), 1, Integer::sum);
            total++;
        }
        MemoryPlan plan = MemoryPlan.of(g);
        long all = MemoryPlan.totalActivationBytes(g, tokens);
        long peak = plan.isEmpty() ? all : plan.peakBytes(g, tokens);
        return new GraphStats(counts, total, all, peak, tokens);
    }

    public int count(Op op) {
        return opCounts.getOrDefault(op, 0);
    }

    /** {@code 42 ops (matmul 8, add 4, ...); activations 1.2 MiB, peak 256 KiB at T=128}. */
    @Override
    public String toString() {
        String byOp = opCounts.entrySet().stream().map(e -> e.getKey().spelling() + " " + e.getValue()).collect(Collectors.joining(", "));
        return ops + " ops (" + byOp + "); activations " + activationBytes + " B, peak " + peakActivationBytes + " B at T=" + tokens;
    }
}
