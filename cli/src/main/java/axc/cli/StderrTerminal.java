package axc.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The terminal a live progress bar may draw on. The JVM cannot tell whether stderr alone is a terminal,
 * so the {@code axc} launcher tests it ({@code [ -t 2 ]}) and passes {@code -Daxc.progress.tty=/dev/tty}.
 */
final class StderrTerminal {
    private StderrTerminal() {
    }

    /** Opened once per process: every progress bar of a command draws on the same terminal. */
    private static volatile Optional<PrintWriter> terminal;

    static Optional<PrintWriter> open() {
        Optional<PrintWriter> t = terminal;
        if (t == null) {
            synchronized (StderrTerminal.class) {
                if (terminal == null) terminal = connect();
                t = terminal;
            }
        }
        return t;
    }

    private static Optional<PrintWriter> connect() {
        String tty = System.getProperty("axc.progress.tty");
        if (tty == null || tty.isEmpty() || System.getenv("CI") != null) return Optional.empty();
        try {
            return Optional.of(new PrintWriter(new OutputStreamWriter(new FileOutputStream(tty), StandardCharsets.UTF_8), true));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
