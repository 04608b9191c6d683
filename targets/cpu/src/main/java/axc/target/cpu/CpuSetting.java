package axc.target.cpu;

import axc.errors.InvalidInputException;

import java.util.function.Function;

/**
 * A cpu target setting read from a system property, else an environment variable, else its
 * default (what {@code parse} makes of null). A value {@code parse} refuses is a one-line error
 * naming where it came from and what would do.
 */
final class CpuSetting {
    private CpuSetting() {
    }

    static <T> T configured(String property, String env, Function<String, T> parse, String allowed) {
        String v = System.getProperty(property);
        String from = "the system property " + property;
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
            from = env;
        }
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(from + " is '" + v + "': use " + allowed);
        }
    }
}
