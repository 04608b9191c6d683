package axc.passes;

import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.List;
import java.util.Map;

/** Small questions the fusion passes ask of a graph while matching patterns. */
final class Match {
    private final Graph g;
    private final Map<Integer, List<Node>> users;

    Match(Graph g) {
        this.g = g;
        this.users = g.users();
    }

    Graph graph() {
        return g;
    }

    Node node(int id) {
        return g.node(id);
    }

    List<Node> users(int id) {
        return users.getOrDefault(id, List.of());
    }

    boolean isOutput(int id) {
        return g.outputs().contains(id);
    }

    /** The one node reading {@code id}, when exactly one node reads it (once) and it is not a graph output. */
    Node soleUser(int id) {
        List<Node> u = users(id);
        if (u.size() != 1 || isOutput(id)) return null;
        return u.getFirst();
    }

    /** An op that may carry an {@link Epilogue} (matmul, rms_norm_matmul, matmul_swiglu). */
    static boolean matmulFamily(Node n) {
        return Epilogue.allowedOn(n.op());
    }

    /** A plain {@code matmul} with one weight and no epilogue: a projection as a frontend writes it. */
    static boolean plainProjection(Node n) {
        return n.op() == Op.MATMUL && n.inputs().size() == 2 && Epilogue.of(n).isEmpty();
    }

    /** The weight ids of a plain matmul or rms_norm_matmul without epilogue operands. */
    static List<Integer> weights(Node n) {
        int base = Epilogue.baseInputs(n);
        int first = n.op() == Op.RMS_NORM_MATMUL ? 2 : 1;
        return n.inputs().subList(first, base);
    }

    /** The rows of a weight param (its output features). */
    long rows(int weight) {
        return g.node(weight).type().dim(0).size();
    }

    static long width(Node n) {
        return n.type().last().size();
    }
}
