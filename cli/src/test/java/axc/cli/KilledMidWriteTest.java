package axc.cli;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * convert, quantize and compile run as separate processes and are killed with SIGKILL at seeded random
 * moments. After each kill, the output's final name holds nothing or the complete output, byte for
 * byte what an uninterrupted run writes (outputs are reproducible), never a prefix. A previous output
 * is never destroyed by a killed run. The only other files the kill may leave are the temp file's
 * {@code .NAME.*.partial}. A rerun then succeeds.
 */
class KilledMidWriteTest {
    private static final int KILLS_PER_COMMAND = 4;

    @Test
    void aKilledWriteLeavesNothingOrTheWholeOutputAndARerunSucceeds(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model");
        CheckpointGenerator.write(ModelSpec.preset("small"), model);
        SplittableRandom random = new SplittableRandom(20261123);
        check(dir, "convert.gguf", out -> List.of("convert", model.toString(), "-o", out.toString()), random);
        check(dir, "q8_0.gguf", out -> List.of("quantize", model.toString(), "-o", out.toString(), "--preset", "q8_0"), random);
        check(dir, "model.axc", out -> List.of("compile", model.toString(), "--target", "cpu", "-o", out.toString()), random);
    }

    private interface Command {
        List<String> args(Path out);
    }

    private static void check(Path dir, String name, Command command, SplittableRandom random) throws Exception {
        // An uninterrupted run: how long it takes, and the bytes every later run must leave or leave nothing.
        Path reference = dir.resolve("reference-" + name);
        long start = System.nanoTime();
        Process whole = start(command.args(reference));
        assertEquals(0, whole.waitFor(), name + ": " + new String(whole.getErrorStream().readAllBytes()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        byte[] expected = Files.readAllBytes(reference);

        Path work = Files.createDirectories(dir.resolve("work-" + name));
        Path out = work.resolve(name);
        for (int k = 0; k < KILLS_PER_COMMAND; k++) {
            // The first kills land on a fresh destination, the rest on one holding an earlier output.
            if (k == KILLS_PER_COMMAND / 2) Files.write(out, expected);
            boolean hadOutput = Files.exists(out);
            long delay = 150 + random.nextLong(Math.max(1, millis - 150));
            Process p = start(command.args(out));
            boolean finished = p.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed process ended");
            }
            String at = name + ", kill " + k + " after " + delay + " ms of ~" + millis + (finished ? " (it had finished)" : "");
            if (Files.exists(out)) {
                assertArrayEquals(expected, Files.readAllBytes(out), at + ": the final name holds the complete output or nothing");
            } else {
                assertFalse(hadOutput, at + ": a killed run destroyed the previous output");
            }
            try (Stream<Path> files = Files.list(work)) {
                for (Path f : files.toList()) {
                    String n = f.getFileName().toString();
                    assertTrue(n.equals(name) || (n.startsWith("." + name + ".") && n.endsWith(".partial")), at + ": unexpected file " + n);
                }
            }
        }
        Process rerun = start(command.args(out));
        assertEquals(0, rerun.waitFor(), name + " rerun: " + new String(rerun.getErrorStream().readAllBytes()));
        assertArrayEquals(expected, Files.readAllBytes(out), name + ": the rerun's output");
    }

    private static Process start(List<String> args) throws IOException {
        return new ProcessBuilder(AxcProcess.command(args)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
