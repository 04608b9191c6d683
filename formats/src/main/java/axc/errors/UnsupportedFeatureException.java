package axc.errors;

/**
 * A well-formed input that uses something axc does not implement (an architecture, a config key, an
 * op, a command that has not landed yet). Refused loudly rather than silently ignored.
 */
public class UnsupportedFeatureException extends AxcException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
