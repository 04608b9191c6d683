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
 * Adds a bias in the epilogue of the matmul that produces its input.
 *
 * <p>Matches: {@code bias_add(y, b1..bm)} where {@code y} is a matmul-family op ({@code matmul},
 * {@code rms_norm_matmul}, {@code matmul_swiglu}) whose only user is the bias add and whose epilogue
 * has no bias, rope or residual yet (a bias stage runs before those). Legal: the epilogue adds the same
 * per-feature values to the same results. Produces: the matmul with {@code bias=m} and the biases
 * appended to its operands; the bias add goes.
 */
public final class FuseBiasAdd implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int fused = 0;
        for (Node b : g.nodes()) {
            if (b.op() != Op.BIAS_ADD) continue;
            Node y = m.node(b.input(0));
            if (!Match.matmulFamily(y) || m.soleUser(y.id()) != b) continue;
            Epilogue e = Epilogue.of(y);
            if (e.biases() > 0 || e.rope() != null || e.residual()) continue;
            List<Integer> in = new ArrayList<>(y.inputs());
            in.addAll(b.inputs().subList(1, b.inputs().size()));
            rw.replace(new Node(y.id(), y.op(), in, e.withBiases(b.inputs().size() - 1).applyTo(y.attrs()), y.type()));
            rw.redirect(b.id(), y.id());
            rw.remove(b.id());
            fused++;
        }
        if (fused == 0) return g;
        ctx.log("moved " + fused + " bias add(s) into matmul epilogues");
        return rw.build();
    }
}
