package axc.progress;

/**
 * Progress of one long operation, reported by library code and rendered by the CLI: a live bar on a
 * terminal, periodic plain lines in logs, nothing when quiet. Implementations must be cheap to call
 * per tensor or per chunk.
 */
public interface Progress {
    /** Starts a task of {@code total} units ({@code unit} names them, e.g. "B" or "tensors"). */
    void start(String task, long total, String unit);

    /** Adds {@code units} done since the last call. */
    void advance(long units);

    /** Ends the task, printing {@code summary} if non-empty. */
    void done(String summary);

    Progress SILENT = new Progress() {
        @Override
        public void start(String task, long total, String unit) {
        }

        @Override
        public void advance(long units) {
        }

        @Override
        public void done(String summary) {
        }
    };
}
