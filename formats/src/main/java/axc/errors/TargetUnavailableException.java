package axc.errors;

/** A target that exists but cannot run on this machine (no GPU driver, no simulator library, ...). */
public class TargetUnavailableException extends AxcException {
    public TargetUnavailableException(String message) {
        super(message);
    }
}
