package axc.testkit;

import axc.ir.WeightScheme;
import axc.target.TargetProvider;
import axc.target.reference.ReferenceTargetProvider;

/** The reference target (the interpreter run as a target) is conformant, exactly: every bound is zero. */
class ReferenceConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new ReferenceTargetProvider();
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
}
