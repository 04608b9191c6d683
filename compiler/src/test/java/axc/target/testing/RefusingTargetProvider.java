package axc.target.testing;

import axc.target.Availability;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;

/**
 * {@link RefusingTarget} as a provider. Not registered in the compiler's own test resources (the
 * compiler's test jar reaches other modules); a module whose tests want it through {@code ServiceLoader}
 * registers it in its own {@code src/test/resources/META-INF/services}.
 */
public final class RefusingTargetProvider implements TargetProvider {
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
        return RefusingTarget.from(options);
    }
}
