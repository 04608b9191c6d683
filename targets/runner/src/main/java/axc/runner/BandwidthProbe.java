package axc.runner;

import axc.formats.io.LargePages;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The machine's memory read bandwidth, measured the way decode reads weights: a buffer far larger
 * than the caches, split between {@code threads} threads, each summing its part in vector lanes.
 * Decode's roofline is this bandwidth divided by the weight bytes read per token; measuring it in
 * the same run as the model makes the ratio honest on a machine whose bandwidth varies with load.
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Where the sums go, so the JIT cannot drop the reads that make them. */
    private static volatile long sink;

    private BandwidthProbe() {
    }

    /** Median GB/s (10^9 bytes) over {@code repeat} passes over {@code bytes} of memory. */
    public static double readGbPerS(long bytes, int threads, int repeat) {
        long step = (long) L.vectorByteSize() * 4 * threads;
        long size = Math.max(step, bytes / step * step);
        try (Arena arena = Arena.ofShared()) {
            // On the large pages the cpu target streams its weights from, so the ceiling is measured
            // on the same kind of memory as the decode it bounds.
            MemorySegment buf = LargePages.allocate(size, arena);
            // Touch every page first, with values the sum depends on, so the passes read real memory.
            for (long o = 0; o < size; o += 4096) buf.set(ValueLayout.JAVA_LONG, o, o);
            // The summing loop must be compiled (C2) before it is timed: interpreted Vector API code
            // is two orders of magnitude slower and would understate the bandwidth badly.
            long warm = Math.min(size, 8L << 20);
            for (int i = 0; i < 200; i++) sum(buf, 0, warm);
            double[] rates = new double[repeat];
            long part = size / threads;
            // One untimed pass first: the first read of fresh pages runs at a fraction of the speed
            // of the next ones here (C or Java alike).
            for (int k = -1; k < repeat; k++) {
                List<Thread> ts = new ArrayList<>();
                long[] sums = new long[threads];
                long t0 = System.nanoTime();
                for (int i = 0; i < threads; i++) {
                    int id = i;
                    ts.add(Thread.ofPlatform().start(() -> sums[id] = sum(buf, id * part, part)));
                }
                for (Thread t : ts) t.join();
                if (k >= 0) rates[k] = size / ((System.nanoTime() - t0) / 1e9) / 1e9;
                sink += Arrays.stream(sums).sum();
            }
            return Benchmark.median(rates);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static long sum(MemorySegment buf, long from, long len) {
        int w = L.vectorByteSize();
        LongVector a0 = LongVector.zero(L), a1 = LongVector.zero(L), a2 = LongVector.zero(L), a3 = LongVector.zero(L);
        for (long o = from, end = from + len; o + 4L * w <= end; o += 4L * w) {
            a0 = a0.add(LongVector.fromMemorySegment(L, buf, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(LongVector.fromMemorySegment(L, buf, o + w, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(LongVector.fromMemorySegment(L, buf, o + 2L * w, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(LongVector.fromMemorySegment(L, buf, o + 3L * w, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
