package axc.errors;

/** A quality gate failed: the candidate's outputs are further from the reference than allowed. */
public class ValidationFailedException extends AxcException {
    public ValidationFailedException(String message) {
        super(message);
    }
}
