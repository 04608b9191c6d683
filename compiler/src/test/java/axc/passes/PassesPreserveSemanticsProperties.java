package axc.passes;

import axc.interp.Interpreter;
import axc.interp.KvState;
import axc.interp.ParamSource;
import axc.interp.Tensor;
import axc.ir.Graph;
import axc.ir.testing.RandomGraphs;
import axc.ir.testing.RandomQwenBlocks;
import axc.ir.text.AxirPrinter;
import axc.pass.GraphStats;
import axc.pass.Pass;
import axc.pass.PassContext;
import axc.pass.PassPipeline;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pass preserves what the interpreter computes, <b>bit for bit</b> (tolerance zero): each
 * rewrite keeps the operation order of the ops it replaces (stacked weights give each output its own
 * dot product; epilogues run the kernels of the ops they absorb; {@code fold_norm} is computed
 * unfolded), so any difference is a bug, not rounding.
 *
 * <p>Pass {@code i} of the standard pipeline runs on graphs that passes {@code 0..i-1} have already
 * rewritten, which is what it sees in practice and what makes later patterns (SwiGLU after gate/up,
 * rope after q/k/v) occur. Graphs come from {@link RandomGraphs} (arbitrary op chains) and
 * {@link RandomQwenBlocks} (small Qwen2/Qwen3 decoders). Each graph runs a prefill step of 3 tokens
 * then a decode step, so attention's KV cache is read back.
 */
class PassesPreserveSemanticsProperties {
    static final List<Pass> PIPELINE = StandardPipeline.passes();

    @Provide
    Arbitrary<Integer> passIndex() {
        return Arbitraries.integers().between(0, PIPELINE.size() - 1);
    }

    @Provide
    Arbitrary<Graph> randomGraphs() {
        return RandomGraphs.graphs(10);
    }

    @Provide
    Arbitrary<Graph> qwenBlocks() {
        return RandomQwenBlocks.graphs();
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void eachPassPreservesOutputsOfQwenBlocks(@ForAll("passIndex") int i, @ForAll("qwenBlocks") Graph g, @ForAll long seed) {
        checkPass(i, g, seed);
    }

    @Property(tries = 150, edgeCases = EdgeCasesMode.NONE)
    void eachPassPreservesOutputsOfRandomGraphs(@ForAll("passIndex") int i, @ForAll("randomGraphs") Graph g, @ForAll long seed) {
        checkPass(i, g, seed);
    }

    @Property(tries = 40, edgeCases = EdgeCasesMode.NONE)
    void pipelinePreservesOutputsAndRemovesOpsOfQwenBlocks(@ForAll("qwenBlocks") Graph g, @ForAll long seed) {
        Graph out = StandardPipeline.create().run(g, new PassContext());
        assertSameOutputs(g, out, seed, "standard pipeline");
        assertTrue(GraphStats.of(out, 4).ops() < GraphStats.of(g, 4).ops(), "the pipeline removes ops");
    }

    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    void pipelinePreservesOutputsOfRandomGraphs(@ForAll("randomGraphs") Graph g, @ForAll long seed) {
        assertSameOutputs(g, StandardPipeline.create().run(g, new PassContext()), seed, "standard pipeline");
    }

    /** The npu's lowering pass after the standard pipeline: quantized matmuls take their norm, unfolded, and the outputs stay. */
    @Property(tries = 40, edgeCases = EdgeCasesMode.NONE)
    void unfoldedNormFusionPreservesOutputsOfQwenBlocks(@ForAll("qwenBlocks") Graph g, @ForAll long seed) {
        Graph standard = StandardPipeline.create().run(g, new PassContext());
        assertSameOutputs(g, new PassPipeline(List.of(FoldRmsNormIntoMatmul.unfolded())).run(standard, new PassContext()), seed, "unfolded norm fusion");
    }

    @Test
    void unfoldedNormFusionFiresOnQuantizedQwenBlocks() {
        int fired = 0;
        for (long seed = 0; seed < 40; seed++) {
            Graph standard = StandardPipeline.create().run(RandomQwenBlocks.build(seed), new PassContext());
            if (!FoldRmsNormIntoMatmul.unfolded().run(standard, new PassContext()).equals(standard)) fired++;
        }
        assertTrue(fired >= 5, "the unfolded fusion fired on only " + fired + " of 40 Qwen blocks");
    }

    /** The Qwen block generator makes every fusion pass fire (else the properties above prove little). */
    @Test
    void fusionPatternsOccurInQwenBlocks() {
        for (Pass p : PIPELINE) {
            if (p instanceof FoldConstants || p instanceof EliminateDeadNodes) continue;
            int fired = 0;
            for (long seed = 0; seed < 40; seed++) {
                Graph g = RandomQwenBlocks.build(seed);
                int at = PIPELINE.indexOf(p);
                Graph before = new PassPipeline(PIPELINE.subList(0, at)).run(g, new PassContext());
                if (!p.run(before, new PassContext()).equals(before)) fired++;
            }
            assertTrue(fired >= 5, p.name() + " fired on only " + fired + " of 40 Qwen blocks");
        }
    }

    private static void checkPass(int i, Graph g, long seed) {
        Pass pass = PIPELINE.get(i);
        Graph before = new PassPipeline(PIPELINE.subList(0, i)).run(g, new PassContext());
        Graph after = new PassPipeline(List.of(pass)).run(before, new PassContext());
        assertSameOutputs(before, after, seed, pass.name());
    }

    static void assertSameOutputs(Graph before, Graph after, long seed, String what) {
        ParamSource params = RandomGraphs.params(before, seed);
        List<List<Tensor>> expected = runSteps(before, params, seed);
        List<List<Tensor>> actual = runSteps(after, params, seed);
        assertEquals(expected, actual, () -> what + " changed the outputs of\n" + AxirPrinter.print(before) + "into\n" + AxirPrinter.print(after));
    }

    /** A prefill step of 3 tokens at positions 0..2, then a decode step at 3; outputs of both. */
    static List<List<Tensor>> runSteps(Graph g, ParamSource params, long seed) {
        Interpreter interp = new Interpreter(g, params);
        KvState state = interp.newState(8);
        List<List<Tensor>> out = new ArrayList<>();
        Map<String, Tensor> prefill = RandomGraphs.inputs(g, 3, 0, seed);
        out.add(interp.run(state, prefill));
        out.add(interp.run(state, RandomGraphs.inputs(g, 1, 3, seed + 1)));
        return out;
    }
}
