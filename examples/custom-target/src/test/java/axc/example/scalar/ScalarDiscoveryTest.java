package axc.example.scalar;

import axc.target.TargetProvider;
import axc.target.Targets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With this module's jar on the class path, axc finds the target by its id, as `axc targets` and `--target scalar` do. */
class ScalarDiscoveryTest {
    @Test
    void serviceLoaderFindsTheTargetAndItsApiVersionIsCurrent() {
        TargetProvider p = Targets.require("scalar");
        assertEquals(ScalarTargetProvider.class, p.getClass());
        assertTrue(p.probe().available());
        assertEquals(TargetProvider.API_VERSION, p.create(null).info().apiVersion());
        assertTrue(Targets.all().stream().anyMatch(t -> t.id().equals("reference")), "the built-in targets are still there");
    }
}
