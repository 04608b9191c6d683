package axc.formats.io;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LargePagesTest {
    @Test
    void segmentsAreZeroedAlignedAndOfTheSizeAskedFor() {
        for (long bytes : new long[]{0, 1, 63, 4096, LargePages.HUGE - 1, LargePages.HUGE, 3 * LargePages.HUGE + 17}) {
            MemorySegment s = LargePages.allocate(bytes);
            assertEquals(bytes, s.byteSize());
            assertTrue(s.isNative());
            assertEquals(0, s.address() % LargePages.HUGE, "segment of " + bytes + " bytes at " + s.address());
            for (long o = 0; o < bytes; o += 509) assertEquals(0, s.get(ValueLayout.JAVA_BYTE, o), "byte " + o + " of " + bytes);
            if (bytes > 0) {
                s.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
                assertEquals(7, s.get(ValueLayout.JAVA_BYTE, bytes - 1));
            }
        }
    }

    @Test
    void closingTheArenaReleasesTheMemory() {
        MemorySegment s;
        try (Arena arena = Arena.ofConfined()) {
            s = LargePages.allocate(3 << 20, arena);
            s.fill((byte) 1);
            assertTrue(s.scope().isAlive());
        }
        assertFalse(s.scope().isAlive());
        MemorySegment gone = s;
        assertThrows(IllegalStateException.class, () -> gone.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void negativeSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LargePages.allocate(-1));
    }

    @Test
    void onLinuxTheMemoryIsMappedHereAndUnmappedOnceUnreachable() throws Exception {
        assertTrue(LargePages.mapped(), "mmap and madvise bind on Linux");
        long before = residentBytes();
        // 2 GiB written in 128 MiB pieces, each dropped at once: without the unmapping, all of it
        // would stay resident.
        for (int i = 0; i < 16; i++) LargePages.allocate(128L << 20).fill((byte) 1);
        long after = Long.MAX_VALUE;
        for (int i = 0; i < 100 && after - before > (512L << 20); i++) {
            System.gc();
            Thread.sleep(20);
            after = residentBytes();
        }
        assertTrue(after - before <= (512L << 20), (after - before >> 20) + " MiB still resident");
    }

    /** This process's resident set, from /proc/self/status (kB). */
    private static long residentBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
