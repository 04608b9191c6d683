package axc.passes;

import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.pass.GraphRewriter;
import axc.pass.Pass;
import axc.pass.PassContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Applies rotary embeddings in the epilogue of the matmul that produces the rotated features.
 *
 * <p>Matches, for a matmul-family op {@code y} whose epilogue has no rope or residual yet:
 * <ul>
 *   <li>{@code rope(y, pos)} as {@code y}'s only user; or</li>
 *   <li>{@code y} read only by {@code slice}s (a fused q/k/v projection), of which those covering a
 *       prefix {@code [0, P)} of the features without gaps each feed only a {@code rope} of the same
 *       {@code head_dim}, {@code theta} and positions, and the other slices start at or after {@code P}.</li>
 * </ul>
 * Legal: rope rotates each head of {@code head_dim} features on its own, by the row's position, so
 * rotating q's heads and then k's is rotating the heads of {@code [q | k]}; features past {@code P}
 * are untouched. Produces: {@code y} with a rope epilogue over {@code P / head_dim} heads and the
 * positions as an operand; the ropes go and their users read the slices (or {@code y}) directly.
 */
public final class FuseRope implements Pass {
    @Override
    public Graph run(Graph g, PassContext ctx) {
        Match m = new Match(g);
        GraphRewriter rw = new GraphRewriter(g);
        int fused = 0;
        for (Node y : g.nodes()) {
            if (!Match.matmulFamily(y) || m.isOutput(y.id())) continue;
            Epilogue e = Epilogue.of(y);
            if (e.rope() != null || e.residual()) continue;
            List<Node> users = m.users(y.id());
            if (users.isEmpty()) continue;
            List<Node[]> roped = new ArrayList<>();
            long covered;
            if (users.size() == 1 && isRopeOf(users.getFirst(), y.id())) {
                Node r = users.getFirst();
                roped.add(new Node[]{y, r});
                covered = Match.width(r);
            } else if (users.stream().allMatch(u -> u.op() == Op.SLICE && u.input(0) == y.id())) {
                List<Node> slices = new ArrayList<>(users);
                slices.sort(Comparator.comparingLong(s -> s.attrs().getLong("start")));
                covered = 0;
                for (Node s : slices) {
                    if (s.attrs().getLong("start") != covered) break;
                    Node r = m.soleUser(s.id());
                    if (r == null || !isRopeOf(r, s.id())) break;
                    if (!roped.isEmpty() && !sameRope(roped.getFirst()[1], r)) break;
                    roped.add(new Node[]{s, r});
                    covered += s.attrs().getLong("size");
                }
                long p = covered;
                if (slices.stream().anyMatch(s -> s.attrs().getLong("start") < p && roped.stream().noneMatch(x -> x[0] == s))) continue;
            } else {
                continue;
            }
            if (roped.isEmpty()) continue;
            Node first = roped.getFirst()[1];
            int headDim = first.attrs().getInt("head_dim");
            Epilogue.Rope rope = new Epilogue.Rope(Math.toIntExact(covered / headDim), headDim, first.attrs().getDouble("theta"));
            Epilogue ne = e.withRope(rope);
            // Rope's operand goes after the biases and before a residual; this op has no residual yet.
            List<Integer> in = new ArrayList<>(y.inputs());
            in.add(first.input(1));
            rw.replace(new Node(y.id(), y.op(), in, ne.applyTo(y.attrs()), y.type()));
            for (Node[] sr : roped) {
                rw.redirect(sr[1].id(), sr[0].id());
                rw.remove(sr[1].id());
            }
            fused++;
            ctx.log("moved " + roped.size() + " rope(s) over " + rope.heads() + " heads into the epilogue of %" + y.id());
        }
        if (fused == 0) return g;
        return rw.build();
    }

    private static boolean isRopeOf(Node r, int x) {
        return r.op() == Op.ROPE && r.input(0) == x && r.input(1) != x;
    }

    private static boolean sameRope(Node a, Node b) {
        return a.input(1) == b.input(1) && a.attrs().get("head_dim").equals(b.attrs().get("head_dim"))
                && Double.doubleToLongBits(a.attrs().getDouble("theta")) == Double.doubleToLongBits(b.attrs().getDouble("theta"));
    }
}
