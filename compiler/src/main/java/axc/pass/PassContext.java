package axc.pass;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What passes share while a pipeline runs: options ({@code key=value} strings), a log of what each
 * pass did, the directory IR dumps go to ({@code --dump-ir DIR}, none by default), and results that
 * later passes or targets read by type (the {@link MemoryPlan}).
 */
public final class PassContext {
    /** One line of the log: which pass, and what it did. */
    public record Entry(String pass, String message) {
        @Override
        public String toString() {
            return pass + ": " + message;
        }
    }

    private final Map<String, String> options;
    private final Path dumpDir;
    private final List<Entry> log = new ArrayList<>();
    private final Map<Class<?>, Object> results = new HashMap<>();
    private String current = "-";

    public PassContext(Map<String, String> options, Path dumpDir) {
        this.options = Map.copyOf(options);
        this.dumpDir = dumpDir;
    }

    /** No options, no dumps. */
    public PassContext() {
        this(Map.of(), null);
    }

    public Optional<String> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    public long longOption(String key, long fallback) {
        String v = options.get(key);
        if (v == null) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + "=" + v + " is not an integer");
        }
    }

    public Optional<Path> dumpDir() {
        return Optional.ofNullable(dumpDir);
    }

    /** Records what the running pass did. */
    public void log(String message) {
        log.add(new Entry(current, message));
    }

    public List<Entry> log() {
        return List.copyOf(log);
    }

    /** The log lines of one pass. */
    public List<String> logOf(String pass) {
        return log.stream().filter(e -> e.pass().equals(pass)).map(Entry::message).toList();
    }

    public <T> void put(Class<T> type, T value) {
        results.put(type, value);
    }

    public <T> Optional<T> get(Class<T> type) {
        return Optional.ofNullable(type.cast(results.get(type)));
    }

    void enter(String pass) {
        current = pass;
    }
}
