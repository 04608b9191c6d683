package axc.target;

/**
 * A compilation target, found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/axc.target.TargetProvider}. Creating a provider must be cheap and must not
 * touch hardware; {@link #probe()} answers whether the target can run here.
 */
public interface TargetProvider {
    /** Version of this interface (and of {@link Target}); see targets/testkit/CHANGELOG.md. */
    int API_VERSION = 3;

    /** Stable id: "reference", "cpu", "cuda", "npu". */
    String id();

    /** Whether artifacts for this target can run on this machine; "no GPU" is an answer, not a crash. */
    Availability probe();

    Target create(TargetOptions options);
}
