package axc.target.npu;

import axc.ir.WeightScheme;
import axc.target.TargetProvider;
import axc.target.cpu.CpuTargetProvider;
import axc.testkit.TargetConformanceSuite;

import java.util.Optional;

/**
 * The npu target against the interpreter: its matmul cases run in W8A8 on the simulator; the op cases
 * it refuses are reported; model artifacts are partitioned with cpu. Bounds are NPU.md's W8A8 ones
 * (int8 weights per channel and int8 activations per token against float32): per-op NMSE 2e-3 and
 * logits NMSE 1e-3. Top-1 agreement is held to 0.9 here: the kit's models have random weights, whose
 * logits are nearly tied, so one flipped argmax in its 13 golden positions costs 8%; the trained model,
 * with real margins, is held to NPU.md's 0.98 (cli NpuArtifactTest).
 */
class NpuConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new NpuTargetProvider();
    }

    @Override
    protected Optional<TargetProvider> fallbackProvider() {
        return Optional.of(new CpuTargetProvider());
    }

    @Override
    protected double nmseBound(WeightScheme s) {
        return 2e-3;
    }

    @Override
    protected double logitsNmseBound() {
        return 1e-3;
    }

    @Override
    protected double minTop1() {
        return 0.9;
    }
}
