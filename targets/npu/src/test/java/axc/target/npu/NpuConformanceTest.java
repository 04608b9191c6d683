package axc.target.npu;

import axc.ir.WeightScheme;
import axc.target.TargetProvider;
import axc.target.cpu.CpuTargetProvider;
import axc.testkit.TargetConformanceSuite;

import java.util.Optional;

/**
 * The npu target against the interpreter: its matmul cases run in W8A8 on the simulator; the op cases
 * it refuses are reported; model artifacts are partitioned with cpu. Bounds are NPU.md's W8A8 ones
 * (int8 weights per channel and int8 activations per token against float32): per-op NMSE 2e-3 (W4A8:
 * see {@link #nmseBound}). The
 * kit's models have random weights with outlier channels, where per-token int8 activations lose most
 * (SmoothQuant's case) and logits are nearly tied: their logits are held to NMSE 5e-3 and top-1 (and
 * greedy) agreement to 0.75, where one flipped token of 8 costs 12.5%. The trained model, with real
 * margins, is held to NPU.md's W8A8 bounds (cli NpuArtifactTest: top-1 0.98, mean KL 0.02).
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

    /**
     * W8A8 2e-3. W4A8 (weights stored in 4 bits or fewer, requantized to int4 with one scale per output
     * channel, as NPU.md's w4 layout has) 1e-1: on the kit's random rows of 64 a matmul lands near 5e-3
     * and a SwiGLU, which multiplies two such errors, near 8e-2. A wrong nibble order or scale is above
     * 1; bit-level correctness is NpuProgramsTest's.
     */
    @Override
    protected double nmseBound(WeightScheme s) {
        return s instanceof WeightScheme.Stored st && st.dtype().bits() <= 4.5 ? 1e-1 : 2e-3;
    }

    @Override
    protected double logitsNmseBound() {
        return 5e-3;
    }

    @Override
    protected double minTop1() {
        return 0.75;
    }
}
