package axc.pass;

/** A pass threw, or left a graph the verifier rejects; the message names the pass. */
public final class PassFailedException extends RuntimeException {
    private final String pass;

    public PassFailedException(String pass, String message, Throwable cause) {
        super("pass " + pass + ": " + message, cause);
        this.pass = pass;
    }

    public String pass() {
        return pass;
    }
}
