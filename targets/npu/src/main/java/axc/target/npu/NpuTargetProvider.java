package axc.target.npu;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/** The npu target: RNPU-A, simulated (the simulator is built into this module's jar). */
public final class NpuTargetProvider implements TargetProvider {
    @Override
    public String id() {
        return "npu";
    }

    @Override
    public Availability probe() {
        try {
            new Simulator(NpuDevices.DEFAULT).close();
            return Availability.yes();
        } catch (Throwable e) {
            return Availability.no("the RNPU-A simulator's library did not load: " + e.getMessage());
        }
    }

    @Override
    public Target create(TargetOptions options) {
        return new NpuTarget(options);
    }
}
