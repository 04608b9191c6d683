package axc.passes;

import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.GraphRewriter;
import axc.pass.Pass;
import axc.pass.PassContext;

/**
 * Moves an MLP's SwiGLU activation into the fused gate/up matmul that feeds it.
 *
 * <p>Matches: {@code mul(silu(slice[0,n)), slice[n,2n))} (either operand order) or
 * {@code swiglu(slice[0,n), slice[n,2n))} where both slices read one {@code matmul} or
 * {@code rms_norm_matmul} of exactly two weights of {@code n} rows each (what {@link FuseGateUp}
 * produces), with no epilogue and no users besides the two slices, and the slices and the silu have no
 * other users. Legal: the op computes the same products and applies the same activation per element.
 *
 * <p>Produces: {@code matmul_swiglu(x, Wg, Wu)} for a matmul; for an {@code rms_norm_matmul}, the same
 * op with a {@code swiglu=true} epilogue.
 */
public final class FuseSwiGlu implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int fused = 0;
        for (Node n : g.nodes()) {
            FuseGateUp.GateUp gu = FuseGateUp.match(m, n);
            if (gu == null) continue;
            Node gs = m.node(gu.gate());
            Node us = m.node(gu.up());
            if (gs.op() != Op.SLICE || us.op() != Op.SLICE || gs.input(0) != us.input(0)) continue;
            Node mm = m.node(gs.input(0));
            if ((mm.op() != Op.MATMUL && mm.op() != Op.RMS_NORM_MATMUL) || !Epilogue.of(mm).isEmpty()) continue;
            var w = Match.weights(mm);
            if (w.size() != 2 || m.rows(w.get(0)) != m.rows(w.get(1))) continue;
            long half = m.rows(w.get(0));
            if (gs.attrs().getLong("start") != 0 || gs.attrs().getLong("size") != half) continue;
            if (us.attrs().getLong("start") != half || us.attrs().getLong("size") != half) continue;
            Node gateUser = gu.silu() != null ? gu.silu() : n;
            if (m.soleUser(gs.id()) != gateUser || m.soleUser(us.id()) != n || m.users(mm.id()).size() != 2 || m.isOutput(mm.id())) continue;
            int fusedId;
            if (mm.op() == Op.MATMUL) {
                fusedId = rw.add(Op.MATMUL_SWIGLU, mm.attrs(), mm.inputs(), n.id());
            } else {
                fusedId = rw.add(Op.RMS_NORM_MATMUL, Epilogue.NONE.withSwiglu().applyTo(mm.attrs()), mm.inputs(), n.id());
            }
            rw.redirect(n.id(), fusedId);
            rw.remove(n.id());
            if (gu.silu() != null) rw.remove(gu.silu().id());
            rw.remove(gs.id());
            rw.remove(us.id());
            rw.remove(mm.id());
            fused++;
        }
        if (fused == 0) return g;
        ctx.log("moved " + fused + " SwiGLU activation(s) into their gate/up matmul");
        return rw.build();
    }
}
