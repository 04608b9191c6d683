package axc.target.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RowPoolTest {
    @Test
    void everyRowExactlyOnceOverManyJobs() {
        try (RowPool pool = new RowPool(3)) {
            for (int job = 0; job < 500; job++) {
                int rows = 1 + job % 97;
                AtomicIntegerArray seen = new AtomicIntegerArray(rows);
                pool.run((from, to, worker) -> {
                    for (int r = from; r < to; r++) seen.incrementAndGet(r);
                }, rows, 1 + job % 5);
                for (int r = 0; r < rows; r++) assertEquals(1, seen.get(r), "job " + job + " row " + r);
            }
        }
    }

    @Test
    void aFailureReachesTheCaller() {
        try (RowPool pool = new RowPool(2)) {
            assertThrows(IllegalStateException.class, () -> pool.run((from, to, worker) -> {
                throw new IllegalStateException("boom");
            }, 100, 1));
            int[] count = new int[1];
            pool.run((from, to, worker) -> {
                synchronized (count) {
                    count[0] += to - from;
                }
            }, 50, 1);
            assertEquals(50, count[0]);
        }
    }
}
