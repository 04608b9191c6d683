package axc.target.reference;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/** The reference interpreter as a target: runs everywhere, the spec every other target is held to. */
public final class ReferenceTargetProvider implements TargetProvider {
    @Override
    public String id() {
        return "reference";
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Target create(TargetOptions options) {
        return new ReferenceTarget();
    }
}
