package axc.cli.malformed;

import axc.cli.CliHarness;
import axc.cli.ExitCodes;
import org.junit.jupiter.api.DynamicTest;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One malformed input and what axc must do with it: exit 3, one error line on stderr (after any
 * progress lines) that names the file and says what is wrong, and nothing written under the output
 * name. The command runs on its own
 * thread under a time limit (no hang) and an allocation limit: a reader that sized an array from a
 * header's count would allocate far more than the 256 MiB allowed long before running out of heap,
 * so an absurd count is caught even on a machine with memory to spare.
 *
 * @param name     what is wrong, as the test's display name
 * @param blamed   the file the error line must name (its file name is enough)
 * @param fragment words the line must contain, case-insensitive, so a refusal for the wrong reason fails
 * @param output   what the command would write, which must not exist afterwards; null when it writes nothing
 * @param args     the axc command line
 */
record Refusal(String name, Path blamed, String fragment, Path output, String... args) {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long MAX_ALLOCATED = 256L << 20;

    DynamicTest test() {
        return DynamicTest.dynamicTest(name, this::check);
    }

    void check() {
        AtomicLong allocated = new AtomicLong();
        CliHarness r = assertTimeoutPreemptively(LIMIT, () -> {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            CliHarness h = CliHarness.run(args);
            allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
            return h;
        }, name + ": no answer within " + LIMIT.toSeconds() + " s");
        // Progress lines may come first; the error is the last line and the only one.
        List<String> lines = r.err().strip().lines().toList();
        String line = lines.isEmpty() ? "" : lines.getLast();
        assertEquals(ExitCodes.INVALID_INPUT, r.code(), name + ": exit code; stderr: " + r.err());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("axc: ")).count(), name + ": one error line: " + r.err());
        assertTrue(line.startsWith("axc: "), name + ": the error comes last: " + r.err());
        assertTrue(line.contains(blamed.getFileName().toString()), name + ": names " + blamed.getFileName() + ": " + line);
        assertTrue(line.toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT)), name + ": says '" + fragment + "': " + line);
        assertTrue(allocated.get() < MAX_ALLOCATED, name + ": allocated " + (allocated.get() >> 20) + " MiB");
        if (output != null) assertFalse(Files.exists(output), name + ": nothing written to " + output);
    }
}
