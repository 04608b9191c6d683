package axc.target.cpu;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/** The cpu target: Vector API kernels on this machine's widest vectors; runs wherever the JVM does. */
public final class CpuTargetProvider implements TargetProvider {
    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Target create(TargetOptions options) {
        return new CpuTarget(options);
    }
}
