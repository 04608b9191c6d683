package axc.target.cuda;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/**
 * The cuda target. Compiling needs no GPU (nvcc, when installed, builds the kernels; otherwise the
 * artifact carries their CUDA C for NVRTC); running needs the CUDA driver, and {@link #probe()} says
 * so without touching it twice.
 */
public final class CudaTargetProvider implements TargetProvider {
    @Override
    public String id() {
        return "cuda";
    }

    @Override
    public Availability probe() {
        return CudaDriver.probe();
    }

    @Override
    public Target create(TargetOptions options) {
        return new CudaTarget(options);
    }
}
