package axc.passes;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.GraphRewriter;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes an attention layer's query, key and value projections as one matmul.
 *
 * <p>Matches: the three {@code matmul}s that produce an {@code attention}'s q, k and v operands (found
 * by walking back from the operands through {@code rope}, {@code head_rms_norm} and {@code bias_add}),
 * when they read the same input, store their weights in the same scheme, have one weight, no epilogue
 * and a single user each. When each one's single user is a {@code bias_add} of one bias, the three
 * biases come along. Legal: a matmul over stacked weights computes each weight's output unchanged
 * (every output feature is its own dot product), and a per-feature bias commutes with concatenation.
 *
 * <p>Produces: {@code matmul(x, Wq, Wk, Wv)} (the weight is the list of the three params, concatenated
 * by reference: no tensor is copied), optionally {@code bias_add(.., bq, bk, bv)}, and three
 * {@code slice}s that replace the old q, k and v values.
 */
public final class FuseQkv implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int fused = 0;
        for (Node att : g.nodes()) {
            if (att.op() != Op.ATTENTION) continue;
            List<Node> mm = new ArrayList<>();
            for (int i = 0; i < 3; i++) mm.add(projection(m, att.input(i)));
            if (mm.contains(null)) continue;
            Node q = mm.get(0);
            if (mm.stream().map(Node::id).distinct().count() != 3) continue;
            boolean legal = true;
            for (Node p : mm) {
                legal &= Match.plainProjection(p) && p.input(0) == q.input(0) && p.attrs().equals(q.attrs()) && m.soleUser(p.id()) != null;
            }
            if (!legal) continue;
            List<Node> biases = new ArrayList<>();
            for (Node p : mm) {
                Node u = m.soleUser(p.id());
                if (u.op() == Op.BIAS_ADD && u.inputs().size() == 2 && u.input(0) == p.id()) biases.add(u);
            }
            boolean withBias = biases.size() == 3;
            int anchor = withBias ? lastOf(g, biases) : lastOf(g, mm);
            List<Integer> in = new ArrayList<>(List.of(q.input(0)));
            for (Node p : mm) in.add(p.input(1));
            int src = rw.add(Op.MATMUL, q.attrs(), in, anchor);
            if (withBias) {
                List<Integer> bin = new ArrayList<>(List.of(src));
                for (Node b : biases) bin.add(b.input(1));
                src = rw.add(Op.BIAS_ADD, Attrs.EMPTY, bin, anchor);
            }
            long start = 0;
            for (int i = 0; i < 3; i++) {
                Node p = mm.get(i);
                long size = Match.width(p);
                int slice = rw.add(Op.SLICE, Attrs.of("start", start, "size", size), List.of(src), anchor);
                start += size;
                Node old = withBias ? biases.get(i) : p;
                rw.redirect(old.id(), slice);
                rw.remove(p.id());
                if (withBias) rw.remove(old.id());
            }
            fused++;
            ctx.log("fused q/k/v of attention %" + att.id() + (withBias ? " with their biases" : "") + " into one matmul");
        }
        return fused == 0 ? g : rw.build();
    }

    /** The matmul behind an attention operand, through the per-row ops a frontend puts after a projection. */
    private static Node projection(Match m, int id) {
        Node n = m.node(id);
        while (n.op() == Op.ROPE || n.op() == Op.HEAD_RMS_NORM || n.op() == Op.BIAS_ADD) n = m.node(n.input(0));
        return n.op() == Op.MATMUL ? n : null;
    }

    static int lastOf(Graph g, List<Node> nodes) {
        int best = -1;
        int bestIndex = -1;
        for (Node n : nodes) {
            int i = g.nodes().indexOf(n);
            if (i > bestIndex) {
                bestIndex = i;
                best = n.id();
            }
        }
        return best;
    }
}
