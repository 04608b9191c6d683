package axc.passes;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.GraphRewriter;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.List;

/**
 * Evaluates at compile time what needs no runtime data. The IR has no literal tensors (values come
 * from inputs and weights), so what is known before the model runs is index arithmetic carried in
 * attributes and shapes; this pass folds that and nothing more.
 *
 * <p>Matches: a {@code slice} covering all features of its input (an identity: its uses read the input
 * instead), and a {@code slice} of a {@code slice} (one slice whose start is the sum of both starts).
 * Legal: always; both are exact. Produces: fewer slices; the inner slice of a chain stays for its
 * other users and is left to {@link EliminateDeadNodes} when it has none.
 */
public final class FoldConstants implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        GraphRewriter rw = new GraphRewriter(g);
        int identities = 0;
        int chains = 0;
        for (Node n : g.nodes()) {
            if (n.op() != Op.SLICE) continue;
            long start = n.attrs().getLong("start");
            long size = n.attrs().getLong("size");
            Node src = rw.node(n.input(0));
            if (start == 0 && src.type().last().isFixed() && src.type().last().size() == size) {
                rw.redirect(n.id(), src.id());
                rw.remove(n.id());
                identities++;
            } else if (src.op() == Op.SLICE) {
                long outer = src.attrs().getLong("start");
                Node folded = new Node(n.id(), Op.SLICE, List.of(src.input(0)), Attrs.of("start", outer + start, "size", size), n.type());
                rw.replace(folded);
                chains++;
            }
        }
        if (identities + chains == 0) return g;
        ctx.log("folded " + identities + " identity slice(s), " + chains + " slice-of-slice chain(s)");
        return rw.build();
    }
}
