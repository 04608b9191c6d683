package axc.ir;

import axc.ir.testing.RandomGraphs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verifier rejects graphs broken in the ways passes break them, naming the node at fault. */
class VerifierProperties {
    @Provide
    Arbitrary<Graph> graphs() {
        return RandomGraphs.graphs();
    }

    /** Nodes with inputs (not inputs or params). */
    static List<Node> computing(Graph g) {
        return g.nodes().stream().filter(n -> !n.inputs().isEmpty()).toList();
    }

    static Graph replace(Graph g, Node old, Node now) {
        List<Node> nodes = new ArrayList<>(g.nodes());
        nodes.set(nodes.indexOf(old), now);
        return new Graph(g.name(), nodes, g.outputs());
    }

    /** {@code bad} is rejected, first naming node {@code n}, with a problem that mentions one of {@code what}. */
    static void rejectedNaming(Graph bad, Node n, String... what) {
        IrVerificationException e = assertThrows(IrVerificationException.class, () -> Verifier.verify(bad));
        assertTrue(e.getMessage().contains("node %" + n.id() + " (" + n.op().spelling()), e.getMessage());
        assertTrue(e.problems().stream().anyMatch(p -> java.util.Arrays.stream(what).anyMatch(p::contains)),
                e.problems() + " should mention " + String.join(" or ", what));
    }

    @Property(tries = 200)
    void danglingInputIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        List<Node> c = computing(g);
        Node n = c.get(pick % c.size());
        List<Integer> in = new ArrayList<>(n.inputs());
        in.set(pick % in.size(), g.maxId() + 1 + pick);
        rejectedNaming(replace(g, n, n.withInputs(in)), n, "dangling");
    }

    @Property(tries = 200)
    void useBeforeDefinitionIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        List<Node> c = computing(g);
        Node n = c.get(pick % c.size());
        // Move n to the front: its inputs are now defined after it.
        List<Node> nodes = new ArrayList<>(g.nodes());
        nodes.remove(n);
        nodes.addFirst(n);
        rejectedNaming(new Graph(g.name(), nodes, g.outputs()), n, "used before it is defined");
    }

    @Property(tries = 200)
    void wrongResultShapeIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        List<Node> c = computing(g);
        Node n = c.get(pick % c.size());
        TensorType wrong = n.type().withLast(Dim.of(n.type().last().size() + 1 + pick % 3));
        rejectedNaming(replace(g, n, new Node(n.id(), n.op(), n.inputs(), n.attrs(), wrong)), n, "should be");
    }

    @Property(tries = 200)
    void mismatchedInputShapeIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        // Widen a param: every op reading it sees a shape its rule refuses.
        List<Node> ps = g.params();
        if (ps.isEmpty()) return;
        Node p = ps.get(pick % ps.size());
        TensorType wider = p.type().withLast(Dim.of(p.type().last().size() + 1));
        Graph bad = replace(g, p, new Node(p.id(), p.op(), p.inputs(), p.attrs(), wider));
        Node user = g.nodes().stream().filter(n -> n.inputs().contains(p.id())).findFirst().orElseThrow();
        rejectedNaming(bad, user, "differs", "should be");
    }

    @Property(tries = 100)
    void anAttributeOfTheWrongKindIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        List<Node> c = computing(g).stream().filter(n -> !n.op().requiredAttrs().isEmpty()).toList();
        if (c.isEmpty()) return;
        Node n = c.get(pick % c.size());
        List<String> names = List.copyOf(new java.util.TreeSet<>(n.op().requiredAttrs()));
        String a = names.get(pick % names.size());
        Object wrong = n.attrs().get(a) instanceof String ? (Object) 3L : "three";
        rejectedNaming(replace(g, n, n.withAttrs(n.attrs().with(a, wrong))), n, "attribute '" + a + "' must be");
    }

    @Property(tries = 100)
    void aSchemeDifferentFromTheWeightsIsRejected(@ForAll("graphs") Graph g, @ForAll @IntRange(max = 1000) int pick) {
        List<Node> readers = g.nodes().stream().filter(n -> n.op().readsWeights()).toList();
        if (readers.isEmpty()) return;
        Node n = readers.get(pick % readers.size());
        String other = n.attrs().getString("scheme").equals("q5_0") ? "q6_k" : "q5_0";
        rejectedNaming(replace(g, n, n.withAttrs(n.attrs().with("scheme", other))), n, "is stored as");
    }
}
