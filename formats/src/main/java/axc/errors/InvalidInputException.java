package axc.errors;

import java.nio.file.Path;

/** A file or argument value that axc cannot accept: truncated, inconsistent, missing or malformed. */
public class InvalidInputException extends AxcException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{file}: {problem}", the shape every reader uses for its one-line error. */
    public static InvalidInputException of(Path file, String problem) {
        return new InvalidInputException(file + ": " + problem);
    }

    public static InvalidInputException of(Path file, String problem, Throwable cause) {
        return new InvalidInputException(file + ": " + problem, cause);
    }
}
