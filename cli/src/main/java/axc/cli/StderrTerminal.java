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

    static Optional<PrintWriter> open() {
        String tty = System.getProperty("axc.progress.tty");
        if (tty == null || tty.isEmpty() || System.getenv("CI") != null) return Optional.empty();
        try {
            return Optional.of(new PrintWriter(new OutputStreamWriter(new FileOutputStream(tty), StandardCharsets.UTF_8), true));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
