package axc.cli;

import axc.progress.Progress;

import java.io.PrintWriter;

/** A live progress bar redrawn in place on a terminal, at most ten times a second. */
final class BarProgress implements Progress {
    private final PrintWriter err;
    private String task = "";
    private String unit = "";
    private long total;
    private long done;
    private long started;
    private long lastDraw;

    BarProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void start(String task, long total, String unit) {
        this.task = task;
        this.total = Math.max(total, 1);
        this.unit = unit;
        this.done = 0;
        this.started = System.nanoTime();
        this.lastDraw = 0;
        draw();
    }

    @Override
    public void advance(long units) {
        done += units;
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L) {
            lastDraw = now;
            draw();
        }
    }

    private void draw() {
        int width = 30;
        double f = Math.min(1.0, done / (double) total);
        int filled = (int) (f * width);
        double secs = (System.nanoTime() - started) / 1e9;
        err.print("\r" + task + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                + String.format("%3.0f%% %s", f * 100, Units.rate(done, secs, unit)) + "\u001b[K");
        err.flush();
    }

    @Override
    public void done(String summary) {
        done = total;
        draw();
        err.println();
        if (!summary.isEmpty()) err.println(summary);
        err.flush();
    }
}
