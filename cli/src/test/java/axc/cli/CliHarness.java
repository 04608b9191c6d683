package axc.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@link AxcCli} in-process with captured stdout and stderr. */
public record CliHarness(int code, String out, String err) {
    public static CliHarness run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = AxcCli.run(new PrintWriter(o), new PrintWriter(e), args);
        return new CliHarness(code, o.toString(), e.toString());
    }
}
