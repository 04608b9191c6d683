package axc.errors;

/**
 * Base of every error axc reports to a user. The message is the one line the user sees, so it must
 * name the file, tensor or key at fault and, where possible, what to do. The CLI maps each subclass to
 * an exit code in one place ({@code axc.cli.ExitCodes}); library code never exits.
 */
public abstract class AxcException extends RuntimeException {
    protected AxcException(String message) {
        super(message);
    }

    protected AxcException(String message, Throwable cause) {
        super(message, cause);
    }
}
