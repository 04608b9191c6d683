package axc.quant.gguf;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderedAheadTest {
    @Test
    void resultsComeInTaskOrder() throws Exception {
        List<Callable<Integer>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int k = i;
            tasks.add(() -> {
                if (k % 7 == 0) Thread.sleep(5);   // early tasks finishing late
                return k;
            });
        }
        try (OrderedAhead<Integer> a = new OrderedAhead<>(tasks.iterator(), 3)) {
            for (int i = 0; i < 50; i++) assertEquals(i, a.next());
        }
    }

    /**
     * Closing waits for a task that is running and does not answer interrupts, as native code does not:
     * the caller unmaps what such a task reads as soon as close returns.
     */
    @Test
    void closeWaitsForRunningTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Callable<Integer> busy = () -> {
            started.countDown();
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();   // ignores the interrupt
            finished.set(true);
            return 0;
        };
        OrderedAhead<Integer> a = new OrderedAhead<>(List.of(busy).iterator(), 1);
        started.await();
        a.close();
        assertTrue(finished.get(), "close returned while a task was still running");
    }
}
