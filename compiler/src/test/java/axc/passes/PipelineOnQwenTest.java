package axc.passes;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.frontend.QwenFrontend;
import axc.interp.InterpretedModel;
import axc.interp.WeightsParams;
import axc.ir.Graph;
import axc.ir.Op;
import axc.model.LanguageModel;
import axc.pass.GraphStats;
import axc.pass.MemoryPlan;
import axc.pass.PassContext;
import axc.reference.Weights;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standard pipeline on the frontend's graph of a generated tiny Qwen2 and Qwen3 checkpoint (two
 * layers, bf16, tied head): the interpreter gives the same logits before and after, bit for bit, over
 * a prefill step and decode steps; the op count drops; and the memory plan's peak is below the sum of
 * all activation sizes.
 */
class PipelineOnQwenTest {
    static final int[] PROMPT = {9707, 1879, 11, 1077, 594};
    static final int[] NEXT = {872, 198};

    @ParameterizedTest
    @EnumSource(Family.class)
    void pipelinePreservesLogitsAndShrinksTheGraph(Family family, @TempDir Path dir) {
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(family), dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            Graph g = QwenFrontend.build(ck.config(), ck.tensors());
            PassContext ctx = new PassContext(Map.of(PlanMemory.TOKENS, "16"), null);
            Graph out = StandardPipeline.create().run(g, ctx);

            Weights w = new Weights(ck.tensors(), ck.config(), dir);
            float[][] before = logits(new InterpretedModel(g, ck.config(), new WeightsParams(w), w.matrixBytes()));
            float[][] after = logits(new InterpretedModel(out, ck.config(), new WeightsParams(w), w.matrixBytes()));
            for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], 0f, family + ": logits at position " + i);

            GraphStats s0 = GraphStats.of(g, 16);
            GraphStats s1 = GraphStats.of(out, 16);
            assertTrue(s1.ops() < s0.ops(), family + ": " + s0 + " -> " + s1);
            int layers = ck.config().numLayers();
            assertEquals(0, s1.count(Op.ADD), family + ": residual adds left in " + s1);
            assertEquals(0, s1.count(Op.BIAS_ADD), family + ": bias adds left in " + s1);
            assertEquals(0, s1.count(Op.RMS_NORM), family + ": norms left in " + s1);
            assertEquals(2 * layers + 1, s1.count(Op.RMS_NORM_MATMUL), family + ": q/k/v, gate/up and head matmuls read their norms: " + s1);
            assertEquals(family == Family.QWEN2 ? 0 : 2 * layers, s1.count(Op.ROPE), family + ": " + s1);

            MemoryPlan plan = ctx.get(MemoryPlan.class).orElseThrow();
            assertEquals(plan, MemoryPlan.of(out));
            long peak = plan.peakBytes(out, 16);
            long all = MemoryPlan.totalActivationBytes(out, 16);
            assertTrue(peak < all, family + ": peak " + peak + " is not below the sum of activations " + all);
            assertEquals(peak, s1.peakActivationBytes());
            assertTrue(ctx.logOf("PlanMemory").getFirst().contains("peak " + peak + " bytes at T=16"), ctx.log().toString());
        }
    }

    /** A prefill of the prompt, then decode steps. */
    static float[][] logits(LanguageModel m) {
        int vocab = m.vocabRows();
        LanguageModel.Session s = m.newSession(PROMPT.length + NEXT.length);
        float[][] out = new float[PROMPT.length + NEXT.length][];
        float[][] pre = s.prefill(java.util.Arrays.stream(PROMPT).map(t -> t % vocab).toArray());
        System.arraycopy(pre, 0, out, 0, pre.length);
        for (int i = 0; i < NEXT.length; i++) out[PROMPT.length + i] = s.next(NEXT[i] % vocab);
        return out;
    }
}
