package axc.passes;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes nodes no output depends on.
 *
 * <p>Matches: every node not reachable backwards from the graph outputs. Legal: always, except for
 * nodes with effects beyond their value, which are kept with everything they read: {@code attention}
 * writes its KV cache slot (a later step reads it), and {@code input} nodes are the graph's interface
 * (a caller binds them whether or not they are read). Produces: the same graph without the dead nodes,
 * unused params included.
 */
public final class EliminateDeadNodes implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Set<Integer> live = new HashSet<>();
        Deque<Integer> work = new ArrayDeque<>(g.outputs());
        for (Node n : g.nodes()) if (n.op() == Op.ATTENTION || n.op() == Op.INPUT) work.add(n.id());
        while (!work.isEmpty()) {
            int id = work.pop();
            if (live.add(id) && g.has(id)) work.addAll(g.node(id).inputs());
        }
        List<Node> kept = g.nodes().stream().filter(n -> live.contains(n.id())).toList();
        int removed = g.nodes().size() - kept.size();
        if (removed == 0) return g;
        ctx.log("removed " + removed + " dead node" + (removed == 1 ? "" : "s"));
        return new Graph(g.name(), kept, g.outputs());
    }
}
