package axc.example.scalar;

import axc.target.TargetProvider;
import axc.target.reference.ReferenceTargetProvider;
import axc.testkit.TargetConformanceSuite;

import java.util.Optional;

/**
 * The whole conformance suite against the scalar example: the op cases it runs are compared with the
 * interpreter; the ones it refuses are reported (as skipped); model artifacts are partitioned with the
 * reference target as the fallback and run end to end. A new target starts from this file.
 */
class ScalarConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new ScalarTargetProvider();
    }

    @Override
    protected Optional<TargetProvider> fallbackProvider() {
        return Optional.of(new ReferenceTargetProvider());
    }
}
