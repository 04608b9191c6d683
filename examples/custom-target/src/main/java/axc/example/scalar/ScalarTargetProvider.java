package axc.example.scalar;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/**
 * The entry point ServiceLoader finds (META-INF/services/axc.target.TargetProvider): cheap to create,
 * touches no hardware. A hardware target's {@link #probe()} is where it looks for its driver or device
 * and answers "unavailable: why" instead of failing.
 */
public final class ScalarTargetProvider implements TargetProvider {
    @Override
    public String id() {
        return "scalar";
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Target create(TargetOptions options) {
        return new ScalarTarget();
    }
}
