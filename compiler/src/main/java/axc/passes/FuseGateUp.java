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
 * Computes an MLP's gate and up projections as one matmul.
 *
 * <p>Matches: {@code mul(silu(gate), up)} (either operand order) or {@code swiglu(gate, up)} where
 * {@code gate} and {@code up} are {@code matmul}s of the same input with one weight each, the same
 * scheme, no epilogue, and no other user. Legal: a matmul over stacked weights computes each weight's
 * output unchanged. Produces: {@code matmul(x, Wg, Wu)} (the weight list references both params; none
 * is copied) and two {@code slice}s replacing gate and up; {@link FuseSwiGlu} then folds the activation
 * into the matmul.
 */
public final class FuseGateUp implements Pass {
    /** Gate and up of a SwiGLU activation node, or null when {@code n} is none. */
    record GateUp(Node act, Node silu, int gate, int up) {
    }

    static GateUp match(Match m, Node n) {
        if (n.op() == Op.SWIGLU) return new GateUp(n, null, n.input(0), n.input(1));
        if (n.op() != Op.MUL) return null;
        for (int s = 0; s < 2; s++) {
            Node silu = m.node(n.input(s));
            if (silu.op() == Op.SILU && m.soleUser(silu.id()) == n && n.input(0) != n.input(1)) {
                return new GateUp(n, silu, silu.input(0), n.input(1 - s));
            }
        }
        return null;
    }

    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int fused = 0;
        for (Node n : g.nodes()) {
            GateUp gu = match(m, n);
            if (gu == null) continue;
            Node gate = m.node(gu.gate());
            Node up = m.node(gu.up());
            Node gateUser = gu.silu() != null ? gu.silu() : n;
            if (gate.id() == up.id() || !Match.plainProjection(gate) || !Match.plainProjection(up)) continue;
            if (gate.input(0) != up.input(0) || !gate.attrs().equals(up.attrs())) continue;
            if (m.soleUser(gate.id()) != gateUser || m.soleUser(up.id()) != n) continue;
            int anchor = FuseQkv.lastOf(g, List.of(gate, up));
            int mm = rw.add(Op.MATMUL, gate.attrs(), List.of(gate.input(0), gate.input(1), up.input(1)), anchor);
            long gw = Match.width(gate);
            int gs = rw.add(Op.SLICE, Attrs.of("start", 0, "size", gw), List.of(mm), anchor);
            int us = rw.add(Op.SLICE, Attrs.of("start", gw, "size", Match.width(up)), List.of(mm), anchor);
            rw.redirect(gate.id(), gs);
            rw.redirect(up.id(), us);
            rw.remove(gate.id());
            rw.remove(up.id());
            fused++;
        }
        if (fused == 0) return g;
        ctx.log("fused " + fused + " gate/up pair(s)");
        return rw.build();
    }
}
