package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.ir.WeightScheme;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.testkit.TargetConformanceSuite;

import java.util.Map;

/**
 * The cpu target against the interpreter. Bounds: float32 lane accumulation (fused multiply-adds, lanes
 * summed at the end) against the interpreter's float64 sums; measured worst cases are in
 * docs/performance.md.
 */
class CpuConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new CpuTargetProvider();
    }

    /** Two threads, so the row split is exercised. */
    @Override
    protected TargetOptions targetOptions() {
        return new TargetOptions(2, null, Map.of());
    }

    @Override
    protected double nmseBound(WeightScheme s) {
        if (s instanceof WeightScheme.Stored st && st.dtype() == DType.F32) return 1e-9;
        return super.nmseBound(s);
    }
}
