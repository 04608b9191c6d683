package axc.target;

import axc.errors.UnsupportedFeatureException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The targets on the class path, by id (ServiceLoader; a target's jar on the path is all it takes). */
public final class Targets {
    private Targets() {
    }

    public static List<TargetProvider> all() {
        List<TargetProvider> out = new ArrayList<>();
        ServiceLoader.load(TargetProvider.class).forEach(out::add);
        out.sort(Comparator.comparing(TargetProvider::id));
        return out;
    }

    public static Optional<TargetProvider> find(String id) {
        return all().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public static TargetProvider require(String id) {
        return find(id).orElseThrow(() -> new UnsupportedFeatureException("unknown target '" + id + "' (installed: "
                + String.join(", ", all().stream().map(TargetProvider::id).toList()) + ")"));
    }
}
