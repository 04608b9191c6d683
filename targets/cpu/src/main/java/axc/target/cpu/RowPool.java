package axc.target.cpu;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of threads that split a range of output rows between them: the caller works too, chunks
 * are claimed from a shared counter, and the caller returns when every chunk is done. No allocation per
 * job (the job is a {@link Job} the caller already has, its arguments in the caller's own fields), so a
 * decode step can run many of them. One job at a time: {@link #run} is synchronized.
 */
public final class RowPool implements AutoCloseable {
    /** Work over rows {@code [from, to)}; {@code worker} indexes per-thread scratch (0 is the caller). */
    @FunctionalInterface
    public interface Job {
        void rows(int from, int to, int worker);
    }

    private final Thread[] workers;
    private final Object lock = new Object();
    /** Chunk tickets, never reset: job g owns tickets {@code [base, end)}, so a late thread cannot take the next job's. */
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile Throwable failure;
    /** Bumped for every job; workers spin on it for a while before they sleep on {@link #lock}. */
    private volatile long generation;
    private volatile boolean closed;
    private Job job;
    private int rows;
    private int chunk;
    private long base;
    private long end;

    public RowPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads);
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("axc-cpu-" + id).start(() -> loop(id));
        }
    }

    public int threads() {
        return workers.length + 1;
    }

    /** Runs {@code job} over {@code [0, rows)} in chunks of at least {@code minChunk} rows. */
    public void run(Job job, int rows, int minChunk) {
        run(job, rows, minChunk, Integer.MAX_VALUE);
    }

    /**
     * Runs {@code job} over {@code [0, rows)} in about four chunks per thread, each of at least
     * {@code minChunk} and at most {@code maxChunk} rows (at least {@code minChunk} wins): small
     * chunks cost a hand-over each, large ones leave a thread idle while another finishes its last.
     */
    public synchronized void run(Job job, int rows, int minChunk, int maxChunk) {
        int threads = threads();
        if (threads == 1 || rows <= minChunk) {
            job.rows(0, rows, 0);
            return;
        }
        int c = Math.max(minChunk, Math.min(maxChunk, (rows + 4 * threads - 1) / (4 * threads)));
        long last;
        synchronized (lock) {
            this.job = job;
            this.rows = rows;
            this.chunk = c;
            this.base = next.get();
            this.end = base + (rows + c - 1) / c;
            last = end;
            failure = null;
            generation++;
            lock.notifyAll();
        }
        work(0);
        int spins = 0;
        while (done.get() < last) {
            if (++spins < 20_000) Thread.onSpinWait();
            else Thread.yield();
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    private void work(int worker) {
        Job j;
        int n;
        int c;
        long b;
        long e;
        synchronized (lock) {
            j = job;
            n = rows;
            c = chunk;
            b = base;
            e = end;
        }
        while (true) {
            long k = next.get();
            if (k >= e || k < b) return;
            if (!next.compareAndSet(k, k + 1)) continue;
            int from = (int) (k - b) * c;
            try {
                j.rows(from, Math.min(n, from + c), worker);
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    /**
     * About 50 microseconds of spinning: a decode step runs a product every few tens of microseconds,
     * and waking a sleeping thread costs about as much as a small product, so workers keep watching
     * between the products of a step and only sleep when the model is idle.
     */
    private static final int SPINS = 20_000;

    private void loop(int id) {
        long seen = 0;
        while (true) {
            for (int i = 0; i < SPINS && generation == seen && !closed; i++) Thread.onSpinWait();
            synchronized (lock) {
                while (generation == seen && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                seen = generation;
            }
            work(id);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }
}
