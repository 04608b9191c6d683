package axc.testkit;

import axc.ir.WeightScheme;
import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.reference.ReferenceTargetProvider;
import axc.target.testing.RefusingTarget;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target that refuses attention and RoPE is conformant: the op-level cases with those ops are
 * reported and aborted, not failed, and its model artifacts are partitioned and run across it and the
 * fallback (here the reference target stands in for cpu, which the kit cannot depend on), exactly as
 * the reference model computes them, since both sides are the interpreter.
 */
class PartitionedConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new TargetProvider() {
            @Override
            public String id() {
                return RefusingTarget.ID;
            }

            @Override
            public Availability probe() {
                return Availability.yes();
            }

            @Override
            public Target create(TargetOptions options) {
                return new RefusingTarget("attention", "rope");
            }
        };
    }

    @Override
    protected Optional<TargetProvider> fallbackProvider() {
        return Optional.of(new ReferenceTargetProvider());
    }

    @Override
    protected double nmseBound(WeightScheme s) {
        return 0;
    }

    @Override
    protected double logitsNmseBound() {
        return 0;
    }

    @Override
    protected double minTop1() {
        return 1;
    }

    @Test
    void theArtifactsRefusedNodesAreReportedAsRunningOnTheFallback() throws Exception {
        artifactRoundTrip();
        String summary = report().summary();
        assertTrue(summary.contains("attention: attention is not implemented on this test device"), summary);
        assertTrue(report().unsupported().stream().anyMatch(u -> u.check().equals("artifact") && u.caseName().equals("qwen2 2 layers on refusing+reference")
                && u.reason().contains("RoPE epilogue")), summary);
    }
}
