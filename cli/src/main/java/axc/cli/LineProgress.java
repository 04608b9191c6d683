package axc.cli;

import axc.progress.Progress;

import java.io.PrintWriter;

/** Progress for logs: a plain line at start, then at most one every five seconds, then the summary. */
final class LineProgress implements Progress {
    private static final long PERIOD_NS = 5_000_000_000L;
    private final PrintWriter err;
    private String task = "";
    private String unit = "";
    private long total;
    private long done;
    private long started;
    private long lastLine;

    LineProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void start(String task, long total, String unit) {
        this.task = task;
        this.total = Math.max(total, 1);
        this.unit = unit;
        this.done = 0;
        this.started = System.nanoTime();
        this.lastLine = started;
        err.println(task + ": started (" + Units.amount(total, unit) + ")");
        err.flush();
    }

    @Override
    public void advance(long units) {
        done += units;
        long now = System.nanoTime();
        if (now - lastLine >= PERIOD_NS) {
            lastLine = now;
            err.printf("%s: %.0f%% (%s)%n", task, 100.0 * done / total, Units.rate(done, (now - started) / 1e9, unit));
            err.flush();
        }
    }

    @Override
    public void done(String summary) {
        err.println(task + ": done" + (summary.isEmpty() ? "" : ": " + summary));
        err.flush();
    }
}
