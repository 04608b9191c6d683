package axc.errors;

/**
 * A well-formed input that uses something axc does not implement (an architecture, a config key, an
 * op, a command that has not landed yet). Refused loudly rather than silently ignored.
 */
public class UnsupportedFeatureException extends AxcException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }

    /** The standard message for a capability that is planned but not implemented. */
    public static UnsupportedFeatureException notYet(String what) {
        return new UnsupportedFeatureException("not supported yet: " + what);
    }
}
