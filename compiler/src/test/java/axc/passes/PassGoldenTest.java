package axc.passes;

import axc.ir.Graph;
import axc.ir.Verifier;
import axc.ir.text.AxirParser;
import axc.ir.text.AxirPrinter;
import axc.ir.text.GraphDiff;
import axc.pass.Pass;
import axc.pass.PassContext;
import axc.pass.PassPipeline;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests: {@code passes/<PassName>/before.axir} through the pass (verified, as in a pipeline)
 * must equal {@code expected.axir} up to node numbering ({@link GraphDiff}). The goldens are written by
 * hand from one-layer Qwen snippets; each file's comment says what it exercises.
 */
class PassGoldenTest {
    static Stream<Pass> passes() {
        return Stream.of(new FuseQkv(), new FuseGateUp(), new FuseSwiGlu(), new FoldRmsNormIntoMatmul(), FoldRmsNormIntoMatmul.unfolded(), new FuseBiasAdd(),
                new FuseRope(), new FuseResidualAdd(), new EliminateDeadNodes(), new FoldConstants(), new PlanMemory());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passes")
    void beforeBecomesExpected(Pass pass) throws URISyntaxException {
        Graph before = golden(pass.name(), "before.axir");
        Graph expected = golden(pass.name(), "expected.axir");
        Verifier.verify(expected);
        PassContext ctx = new PassContext();
        Graph actual = new PassPipeline(List.of(pass)).run(before, ctx);
        List<String> diff = GraphDiff.diff(expected, actual);
        assertTrue(diff.isEmpty(), () -> pass.name() + " differs from its golden:\n" + String.join("\n", diff) + "\nactual:\n" + AxirPrinter.print(actual));
        assertTrue(!ctx.logOf(pass.name()).isEmpty(), pass.name() + " logged nothing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passes")
    void expectedIsAFixedPoint(Pass pass) throws URISyntaxException {
        Graph expected = golden(pass.name(), "expected.axir");
        Graph again = pass.run(expected, new PassContext());
        assertEquals(List.of(), GraphDiff.diff(expected, again), pass.name() + " changes its own output");
    }

    static Graph golden(String pass, String file) throws URISyntaxException {
        var url = PassGoldenTest.class.getResource("/passes/" + pass + "/" + file);
        if (url == null) throw new AssertionError("missing golden passes/" + pass + "/" + file);
        return AxirParser.parse(Path.of(url.toURI()));
    }
}
