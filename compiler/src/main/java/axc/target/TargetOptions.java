package axc.target;

import java.util.Map;

/**
 * Options a target is created with: thread count, device description file, free-form settings. Known
 * settings: {@value #TRACE} (a file a simulating target writes its timeline to, as Chrome trace JSON,
 * when the model closes), {@code activations} (the cpu target's activation mode).
 */
public record TargetOptions(int threads, String device, Map<String, String> settings) {
    public static final String TRACE = "trace";

    public static TargetOptions defaults() {
        return new TargetOptions(Runtime.getRuntime().availableProcessors(), null, Map.of());
    }
}
