package axc.ir.text;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphDiffTest {
    static final Graph BASE = AxirTextTest.small();

    @Test
    void numberingDoesNotMatter() {
        List<Node> shifted = new ArrayList<>();
        for (Node n : BASE.nodes()) shifted.add(new Node(n.id() + 10, n.op(), n.inputs().stream().map(i -> i + 10).toList(), n.attrs(), n.type()));
        Graph g = new Graph(BASE.name(), shifted, List.of(15));
        assertTrue(GraphDiff.equivalent(BASE, g), GraphDiff.diff(BASE, g).toString());
        assertTrue(!BASE.equals(g));
    }

    @Test
    void reportsChangedAttributesAddedAndMissingNodesAndRewiredInputs() {
        Graph expected = AxirParser.parse("""
                axir 1
                graph g {
                  %0 = input x : f32[T,8]
                  %1 = silu(%0) : f32[T,8]
                  %2 = mul(%1, %0) : f32[T,8]
                  %3 = add(%2, %0) {note=a} : f32[T,8]
                  return %3
                }
                """);
        Graph actual = AxirParser.parse("""
                axir 1
                graph g {
                  %0 = input x : f32[T,8]
                  %5 = swiglu(%0, %0) : f32[T,8]
                  %6 = add(%0, %5) {note=b} : f32[T,8]
                  return %6
                }
                """);
        List<String> d = GraphDiff.diff(expected, actual);
        assertEquals(List.of(
                "~ %3 = add(%2, %0) {note=a} : f32[T,8]: attrs {note=b}, expected {note=a}",
                "~ %3 = add(%2, %0) {note=a} : f32[T,8]: input 0 is %0 (input), expected %2 (mul) (which has no counterpart)",
                "~ %3 = add(%2, %0) {note=a} : f32[T,8]: input 1 is %5 (swiglu), expected %0 (input) = actual %0 (input)",
                "- %1 = silu(%0) : f32[T,8]",
                "- %2 = mul(%1, %0) : f32[T,8]",
                "+ %5 = swiglu(%0, %0) : f32[T,8]"), d);
    }

    @Test
    void reportsOutputsAndNames() {
        Graph other = new Graph("other", BASE.nodes(), List.of(4));
        List<String> d = GraphDiff.diff(BASE, other);
        assertEquals(List.of("~ graph name: expected mlp, got other",
                "~ return: [%4 (matmul)], expected [%5 (silu)]"), d);
        Graph attr = new Graph(BASE.name(), BASE.nodes().stream().map(n -> n.op() == Op.RMS_NORM ? n.withAttrs(Attrs.of("eps", 1e-5)) : n).toList(), BASE.outputs());
        assertEquals(List.of("~ %3 = rms_norm(%0, @model.norm.weight) {eps=1.0E-6} : f32[T,8]: attrs {eps=1.0E-5}, expected {eps=1.0E-6}"), GraphDiff.diff(BASE, attr));
    }
}
