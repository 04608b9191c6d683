package axc.cli;

import axc.formats.json.Json;
import axc.progress.Progress;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Output channels and global options as seen by a command. */
public record Ui(PrintWriter out, PrintWriter err, boolean json, boolean quiet, int threads) {

    /** Progress rendering that fits where stderr goes: a bar on a terminal, lines in a log, nothing if quiet. */
    public Progress progress() {
        if (quiet) return Progress.SILENT;
        return StderrTerminal.open().<Progress>map(BarProgress::new).orElseGet(() -> new LineProgress(err));
    }

    /** A status line on stderr (suppressed by --quiet). */
    public void info(String line) {
        if (!quiet) {
            err.println(line);
            err.flush();
        }
    }

    public void printJson(Object value) {
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
