package axc.ir.text;

import axc.formats.dtype.DType;
import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AxirTextTest {
    static Graph small() {
        GraphBuilder b = new GraphBuilder("mlp");
        int x = b.input("x", TensorType.f32("T", 8));
        int g = b.param("model.norm.weight", WeightScheme.F32, TensorType.f32(8));
        int w = b.param("model.layers.0.mlp.up_proj.weight", new WeightScheme.Stored(DType.Q4_K), TensorType.f32(16, 8));
        int n = b.op(Op.RMS_NORM, Attrs.of("eps", 1e-6), x, g);
        int m = b.op(Op.MATMUL, Attrs.of("scheme", "q4_k"), n, w);
        return b.output(b.op(Op.SILU, m)).build();
    }

    static final String SMALL = """
            axir 1
            graph mlp {
              %0 = input x : f32[T,8]
              %1 = param @model.norm.weight {scheme=f32} : f32[8]
              %2 = param @model.layers.0.mlp.up_proj.weight {scheme=q4_k} : f32[16,8]
              %3 = rms_norm(%0, @model.norm.weight) {eps=1.0E-6} : f32[T,8]
              %4 = matmul(%3, @model.layers.0.mlp.up_proj.weight) {scheme=q4_k} : f32[T,16]
              %5 = silu(%4) : f32[T,16]
              return %5
            }
            """;

    @Test
    void printsOneNodePerLine() {
        assertEquals(SMALL, AxirPrinter.print(small()));
    }

    @Test
    void parsesWhatItPrintsAndToleratesCommentsAndSpacing() {
        assertEquals(small(), AxirParser.parse(SMALL));
        String loose = SMALL.replace("%3 = rms_norm(%0, @model.norm.weight)", "# normalize\n  %3=rms_norm( %0 ,@model.norm.weight ) # trailing\n")
                .replace("%4 = matmul(%3, @model.layers.0.mlp.up_proj.weight)", "%4 = matmul(%3, %2)");
        assertEquals(small(), AxirParser.parse(loose));
    }

    @Test
    void oddValuesAndNamesRoundTrip() {
        List<Node> nodes = new ArrayList<>(small().nodes());
        Node silu = nodes.removeLast();
        nodes.add(silu.withAttrs(Attrs.of("a", Double.NaN, "b", Double.NEGATIVE_INFINITY, "c", "true", "d", "two words \"quoted\"\n",
                "e", -0.0, "f", Long.MIN_VALUE, "g", false, "h", "7", "i", 1e300, "j", "")));
        nodes.set(0, new Node(0, Op.INPUT, List.of(), Attrs.of("name", "return"), nodes.getFirst().type()));
        nodes.set(1, new Node(1, Op.PARAM, List.of(), Attrs.of("name", "weights/with space", "scheme", "f32"), nodes.get(1).type()));
        Graph g = new Graph("graph", nodes, List.of(5));
        String text = AxirPrinter.print(g);
        assertEquals(g, AxirParser.parse(text), text);
        assertTrue(text.contains("@\"weights/with space\""), text);
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() {
        AxirSyntaxException e = assertThrows(AxirSyntaxException.class, () -> AxirParser.parse(SMALL.replace("silu(%4)", "silu(%4")));
        assertTrue(e.getMessage().startsWith("<axir>:8:16: expected ')'"), e.getMessage());
        e = assertThrows(AxirSyntaxException.class, () -> AxirParser.parse(SMALL.replace("silu(", "gelu(")));
        assertTrue(e.getMessage().contains("unknown op 'gelu'"), e.getMessage());
        e = assertThrows(AxirSyntaxException.class, () -> AxirParser.parse(SMALL.replace("@model.norm.weight)", "@model.nope)")));
        assertTrue(e.getMessage().contains("@model.nope is not a param declared above"), e.getMessage());
        e = assertThrows(AxirSyntaxException.class, () -> AxirParser.parse(SMALL.replace("axir 1", "axir 2")));
        assertTrue(e.getMessage().contains("axir version 2 is not supported"), e.getMessage());
    }
}
