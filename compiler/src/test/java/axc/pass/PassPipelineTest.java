package axc.pass;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.GraphBuilder;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.ir.WeightScheme;
import axc.ir.text.AxirParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassPipelineTest {
    static Graph small() {
        GraphBuilder b = new GraphBuilder("small");
        int x = b.input("x", TensorType.f32("T", 4));
        int w = b.param("w", WeightScheme.F32, TensorType.f32(4, 4));
        int y = b.op(Op.MATMUL, Attrs.of("scheme", "f32"), x, w);
        return b.output(b.op(Op.SILU, y)).build();
    }

    record Named(String name, java.util.function.UnaryOperator<Graph> f) implements Pass {
        @Override
        public Graph run(Graph g, PassContext ctx) {
            ctx.log("ran");
            return f.apply(g);
        }
    }

    @Test
    void dumpsTheGraphAfterEveryPassAndLogsByPass(@TempDir Path dir) throws IOException {
        PassContext ctx = new PassContext(Map.of(), dir);
        Graph g = small();
        Graph out = new PassPipeline(List.of(new Named("KeepA", x -> x), new Named("KeepB", x -> x))).run(g, ctx);
        assertSame(g, out);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("00-Input.axir", "01-KeepA.axir", "02-KeepB.axir"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(g, AxirParser.parse(dir.resolve("02-KeepB.axir")));
        assertEquals(List.of("ran"), ctx.logOf("KeepB"));
        assertEquals("KeepA: ran", ctx.log().getFirst().toString());
    }

    @Test
    void aPassThatBreaksTheGraphIsNamed(@TempDir Path dir) {
        Pass breaks = new Named("DropWeights", g -> {
            List<Node> nodes = new ArrayList<>(g.nodes());
            nodes.removeIf(n -> n.op() == Op.PARAM);
            return new Graph(g.name(), nodes, g.outputs());
        });
        PassFailedException e = assertThrows(PassFailedException.class,
                () -> new PassPipeline(List.of(new Named("Fine", x -> x), breaks)).run(small(), new PassContext(Map.of(), dir)));
        assertEquals("DropWeights", e.pass());
        assertTrue(e.getMessage().startsWith("pass DropWeights: left an invalid graph"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("02-DropWeights-invalid.axir")));
    }

    @Test
    void aPassThatThrowsIsNamed() {
        Pass throwing = new Named("Throws", g -> {
            throw new IllegalStateException("boom");
        });
        PassFailedException e = assertThrows(PassFailedException.class, () -> new PassPipeline(List.of(throwing)).run(small(), new PassContext()));
        assertEquals("Throws", e.pass());
        assertTrue(e.getMessage().contains("boom"));
    }

    @Test
    void statsCountOpsAndActivationBytes() {
        GraphStats s = GraphStats.of(small(), 10);
        assertEquals(2, s.ops());
        assertEquals(1, s.count(Op.MATMUL));
        assertEquals(3 * 10 * 4 * 4, s.activationBytes());
        assertEquals(s.activationBytes(), s.peakActivationBytes(), "without a plan, the peak is every activation");
    }
}
