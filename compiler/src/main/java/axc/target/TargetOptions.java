package axc.target;

import java.util.Map;

/** Options a target is created with: thread count, device description file, free-form settings. */
public record TargetOptions(int threads, String device, Map<String, String> settings) {
    public static TargetOptions defaults() {
        return new TargetOptions(Runtime.getRuntime().availableProcessors(), null, Map.of());
    }
}
