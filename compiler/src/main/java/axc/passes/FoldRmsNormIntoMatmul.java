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
 * Folds an RMSNorm's weight into the matmuls that read the norm.
 *
 * <p>Matches: {@code n = rms_norm(x, g)} that is not a graph output and whose every user is a
 * {@code matmul} or {@code matmul_swiglu} reading {@code n} as its activation (input 0, and only
 * there) with float weights. Legal only then: {@code (x̂ * g) W^T = x̂ (W diag(g))^T} holds when the
 * weight can be rescaled column by column exactly, which a quantized weight cannot (its columns share
 * scales and codes), and only when no other op needs the scaled {@code x̂ * g} itself.
 *
 * <p>Produces: each user becomes {@code rms_norm_matmul(x, g, W..) {eps, fold_norm=true}} (keeping its
 * epilogue; a {@code matmul_swiglu} gains {@code swiglu=true}) and the norm goes. The weights are not
 * copied or rescaled here: {@code fold_norm=true} tells lowering to pack {@code W[:,k] * g[k]} and
 * normalize without {@code g}; the graph's value is unchanged.
 *
 * <p>{@link #unfolded()}, for a target whose matmul programs apply the norm weight to the activations
 * themselves (the npu's): quantized users are fused too, as {@code rms_norm_matmul} without
 * {@code fold_norm}, which is the op's plain meaning, so the norm runs inside the matmul's program
 * instead of as one of its own.
 */
public final class FoldRmsNormIntoMatmul implements Pass {
    public static final String FOLD_NORM = "fold_norm";

    private final boolean quantizedToo;

    public FoldRmsNormIntoMatmul() {
        this(false);
    }

    private FoldRmsNormIntoMatmul(boolean quantizedToo) {
        this.quantizedToo = quantizedToo;
    }

    /** The variant that also fuses norms read by quantized matmuls, leaving their weights as they are. */
    public static FoldRmsNormIntoMatmul unfolded() {
        return new FoldRmsNormIntoMatmul(true);
    }

    @Override
    public String name() {
        return quantizedToo ? "FuseRmsNormIntoQuantizedMatmul" : Pass.super.name();
    }

    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int folded = 0;
        int refused = 0;
        for (Node n : g.nodes()) {
            if (n.op() != Op.RMS_NORM || m.isOutput(n.id())) continue;
            List<Node> users = m.users(n.id());
            if (users.isEmpty() || !users.stream().allMatch(u -> readsAsActivation(u, n.id()))) continue;
            boolean fold = users.stream().allMatch(u -> u.scheme().isFloat());
            if (!fold && !quantizedToo) {
                refused++;
                continue;
            }
            for (Node u : users) {
                Epilogue e = Epilogue.of(u);
                if (u.op() == Op.MATMUL_SWIGLU) e = e.withSwiglu();
                List<Integer> in = new ArrayList<>(List.of(n.input(0), n.input(1)));
                in.addAll(u.inputs().subList(1, u.inputs().size()));
                var attrs = e.applyTo(u.attrs()).with("eps", n.attrs().get("eps"));
                if (fold) attrs = attrs.with(FOLD_NORM, true);
                rw.replace(new Node(u.id(), Op.RMS_NORM_MATMUL, in, attrs, u.type()));
            }
            rw.remove(n.id());
            folded++;
        }
        if (refused > 0) ctx.log("kept " + refused + " norm(s) read by quantized matmuls (their weights cannot absorb the norm weight exactly)");
        if (folded == 0) return g;
        ctx.log(quantizedToo ? "fused " + folded + " norm(s) into their matmuls" : "folded " + folded + " norm weight(s) into their matmuls");
        return rw.build();
    }

    private static boolean readsAsActivation(Node u, int norm) {
        if (u.op() != Op.MATMUL && u.op() != Op.MATMUL_SWIGLU) return false;
        if (u.input(0) != norm) return false;
        for (int i = 1; i < u.inputs().size(); i++) if (u.input(i) == norm) return false;
        return true;
    }
}
