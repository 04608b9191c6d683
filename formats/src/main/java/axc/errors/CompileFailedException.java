package axc.errors;

/** Lowering or code generation for a target failed. */
public class CompileFailedException extends AxcException {
    public CompileFailedException(String message) {
        super(message);
    }

    public CompileFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
