package axc.target.cuda;

import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device buffers for a graph's values: each value gets a slot that no other value holds while it is
 * live (from the node that writes it to its last reader; graph outputs to the end). A slot freed by
 * a node's last reader is reused only by a later node, never by that node's own output, since a kernel
 * may still read its inputs while writing. Sizes are in 4-byte elements per row of the step (a value
 * of {@code [T, H]} needs {@code H} per row), so one plan serves any row count up to the session's.
 */
final class BufferPlan {
    private final Map<Integer, Integer> slotOf = new HashMap<>();
    private final List<Long> slotElementsPerRow = new ArrayList<>();

    private BufferPlan() {
    }

    static BufferPlan of(Graph g) {
        BufferPlan p = new BufferPlan();
        Map<Integer, Integer> lastUse = new HashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) for (int in : nodes.get(i).inputs()) readThrough(g, in, i, lastUse);
        for (int o : g.outputs()) readThrough(g, o, Integer.MAX_VALUE, lastUse);
        List<Integer> free = new ArrayList<>();
        Map<Integer, List<Integer>> freedAfter = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op() != Op.PARAM) {
                long need = perRow(n);
                int best = -1;
                for (int s : free) {
                    long have = p.slotElementsPerRow.get(s);
                    if (have >= need && (best < 0 || have < p.slotElementsPerRow.get(best))) best = s;
                }
                if (best < 0) {
                    best = p.slotElementsPerRow.size();
                    p.slotElementsPerRow.add(need);
                } else {
                    free.remove(Integer.valueOf(best));
                }
                p.slotOf.put(n.id(), best);
                int last = lastUse.getOrDefault(n.id(), i);
                if (last != Integer.MAX_VALUE) freedAfter.computeIfAbsent(last, k -> new ArrayList<>()).add(best);
            }
            // Slots whose values this node read for the last time come free for the next node.
            free.addAll(freedAfter.getOrDefault(i, List.of()));
        }
        return p;
    }

    /**
     * Node {@code at} reads {@code id}, and through it the input of a slice (a view of its input at
     * one-row steps) or of an rms_norm (which a GEMV reader may apply on the way in instead of reading
     * the norm's value): those inputs stay live as long.
     */
    static void readThrough(Graph g, int id, int at, Map<Integer, Integer> lastUse) {
        for (int v = id; ; v = g.node(v).input(0)) {
            lastUse.merge(v, at, Math::max);
            Op op = g.node(v).op();
            if (op != Op.SLICE && op != Op.RMS_NORM) return;
        }
    }

    /** 4-byte elements of {@code n}'s value per row of the step (symbolic dims count as the rows). */
    static long perRow(Node n) {
        long e = 1;
        for (Dim d : n.type().shape()) if (d instanceof Dim.Fixed f) e = Math.multiplyExact(e, f.size());
        return e;
    }

    int slot(int nodeId) {
        Integer s = slotOf.get(nodeId);
        if (s == null) throw new IllegalArgumentException("no buffer for %" + nodeId);
        return s;
    }

    int slots() {
        return slotElementsPerRow.size();
    }

    long slotElementsPerRow(int slot) {
        return slotElementsPerRow.get(slot);
    }

    /** Bytes of every slot for steps of up to {@code rows} rows. */
    long bytes(int rows) {
        long b = 0;
        for (long e : slotElementsPerRow) b += 4 * e * rows;
        return b;
    }
}
