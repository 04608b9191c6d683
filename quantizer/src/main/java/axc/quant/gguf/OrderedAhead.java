package axc.quant.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sequence of tasks on worker threads a bounded window ahead of the one consumer that takes
 * their results in order. Quantizing streams this way: the workers quantize the next chunks, across
 * tensor boundaries, while the caller writes the previous ones, so neither the cores nor the writer
 * wait on each other, and memory holds at most the window's results.
 */
final class OrderedAhead<T> implements AutoCloseable {
    private final Iterator<? extends Callable<T>> tasks;
    private final ExecutorService pool;
    private final ArrayDeque<Future<T>> inFlight = new ArrayDeque<>();
    private final int window;

    OrderedAhead(Iterator<? extends Callable<T>> tasks, int threads) {
        this.tasks = tasks;
        this.window = 2 * threads + 1;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "axc-quantize");
            t.setDaemon(true);
            return t;
        });
        fill();
    }

    /** The next task's result, in the order the tasks came; rethrows what the task threw. */
    T next() throws IOException {
        Future<T> f = inFlight.poll();
        if (f == null) throw new NoSuchElementException("no tasks left");
        try {
            T v = f.get();
            fill();
            return v;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof UncheckedIOException io) throw io.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void fill() {
        while (inFlight.size() < window && tasks.hasNext()) inFlight.add(pool.submit(tasks.next()));
    }

    /**
     * Stops the tasks not started and waits for the running ones to end. Waiting matters: a task may be
     * in native code reading the caller's mapped input, which the caller unmaps once this returns (a
     * failed write used to unmap it under a running native quantizer, and the JVM crashed).
     */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) throw new IllegalStateException("quantize tasks did not stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
