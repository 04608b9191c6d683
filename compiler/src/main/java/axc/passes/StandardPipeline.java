package axc.passes;

import axc.pass.Pass;
import axc.pass.PassPipeline;

import java.util.List;

/** The pass pipeline {@code axc compile} runs, in order; {@code docs/passes.md} explains it. */
public final class StandardPipeline {
    private StandardPipeline() {
    }

    public static List<Pass> passes() {
        return List.of(
                new EliminateDeadNodes(),
                new FoldConstants(),
                new FuseQkv(),
                new FuseGateUp(),
                new FuseSwiGlu(),
                new FoldRmsNormIntoMatmul(),
                new FuseBiasAdd(),
                new FuseRope(),
                new FuseResidualAdd(),
                new EliminateDeadNodes(),
                new PlanMemory());
    }

    public static PassPipeline create() {
        return new PassPipeline(passes());
    }
}
