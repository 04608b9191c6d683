package axc.target.cuda;

import axc.formats.dtype.DType;
import axc.ir.WeightScheme;
import axc.target.TargetProvider;
import axc.testkit.TargetConformanceSuite;
import org.junit.jupiter.api.Tag;

/**
 * The cuda target against the interpreter, on a GPU: excluded from CI (no GPU there) by its tag and
 * run by targets/cuda/gpu-check/run.sh on a machine with one. Weights in the formats the kernels
 * decode; activations are float32 throughout, with float32 accumulation on the device against the
 * interpreter's float64, and f16/bf16 tensor-core prefill rounding the activations to 16 bits.
 */
@Tag("gpu")
@net.jqwik.api.Tag("gpu") // the suite's jqwik properties carry their own tags
class CudaConformanceTest extends TargetConformanceSuite {
    @Override
    protected TargetProvider provider() {
        return new CudaTargetProvider();
    }

    @Override
    protected double nmseBound(WeightScheme s) {
        if (s instanceof WeightScheme.Stored st && st.dtype() == DType.F32) return 1e-9;
        return super.nmseBound(s);
    }
}
