package axc.passes;

import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.GraphRewriter;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds a residual in the epilogue of the matmul whose result it is added to.
 *
 * <p>Matches: {@code add(r, y)} or {@code add(y, r)} where {@code y} is a matmul-family op whose only
 * user is the add, whose epilogue has no residual yet, and {@code r} is another value (the residual
 * stream). When both operands qualify, the second is taken ({@code x + f(x)}, how a decoder layer adds).
 * Legal: float addition is commutative, so {@code y + r} in the epilogue is bit-for-bit the add.
 * Produces: the matmul with {@code residual=true} and {@code r} as its last operand; the add goes.
 */
public final class FuseResidualAdd implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        int fused = 0;
        for (Node add : g.nodes()) {
            if (add.op() != Op.ADD || add.input(0) == add.input(1)) continue;
            for (int s = 1; s >= 0; s--) {
                Node y = m.node(add.input(s));
                int r = add.input(1 - s);
                if (!Match.matmulFamily(y) || m.soleUser(y.id()) != add || Epilogue.of(y).residual() || taken.contains(y.id())) continue;
                List<Integer> in = new ArrayList<>(y.inputs());
                in.add(r);
                rw.replace(new Node(y.id(), y.op(), in, Epilogue.of(y).withResidual().applyTo(y.attrs()), y.type()));
                rw.redirect(add.id(), y.id());
                rw.remove(add.id());
                taken.add(y.id());
                fused++;
                break;
            }
        }
        if (fused == 0) return g;
        ctx.log("moved " + fused + " residual add(s) into matmul epilogues");
        return rw.build();
    }
}
