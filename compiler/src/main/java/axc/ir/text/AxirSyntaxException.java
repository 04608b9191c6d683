package axc.ir.text;

import axc.errors.InvalidInputException;

/** {@code .axir} text that does not parse; the message gives the line and column. */
public final class AxirSyntaxException extends InvalidInputException {
    public AxirSyntaxException(String source, int line, int col, String problem) {
        super(source + ":" + line + ":" + col + ": " + problem);
    }
}
