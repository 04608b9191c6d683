package axc.cli;

import axc.examples.ExampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * convert, quantize and compile run out of room halfway through their output. The room is a file-size
 * limit ({@code ulimit -f}, which the JVM turns into a failed write, as it does a full disk) set well
 * below the output's size, so the write fails mid-file on any machine without filling a real disk.
 * The command must fail saying the output could not be written and that the previous one is intact;
 * the previous output must be byte for byte what it was, no temp file may remain, and a run with room
 * must then succeed.
 */
class DiskFullTest {
    /** In KiB: above anything else the JVM writes, below every output here (13 MB and more). */
    private static final int LIMIT_KIB = 4096;

    @Test
    void aWriteThatRunsOutOfRoomLeavesThePreviousOutputAndSaysSo(@TempDir Path dir) throws Exception {
        Path model = ExampleModels.extractTinyPy(dir.resolve("model"));
        check(dir, "model.gguf", out -> List.of("convert", model.toString(), "-o", out.toString()));
        check(dir, "q8_0.gguf", out -> List.of("quantize", model.toString(), "-o", out.toString(), "--preset", "q8_0"));
        check(dir, "model.axc", out -> List.of("compile", model.toString(), "--target", "cpu", "-o", out.toString()));
    }

    private interface Command {
        List<String> args(Path out);
    }

    private static void check(Path dir, String name, Command command) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work-" + name));
        Path out = work.resolve(name);
        byte[] previous = ("the previous " + name + " that a failed run must leave as it is").getBytes(StandardCharsets.UTF_8);
        Files.write(out, previous);

        Process p = start(command.args(out), LIMIT_KIB);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        String last = err.lines().reduce((a, b) -> b).orElse("");
        assertEquals(ExitCodes.INTERNAL, code, name + ": " + err);
        assertTrue(last.startsWith("axc: I/O error: " + out) && last.contains("previous output") && last.contains("intact"),
                name + ": says the output could not be written and the previous one is intact: " + err);
        assertArrayEquals(previous, Files.readAllBytes(out), name + ": the previous output");
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(out), files.toList(), name + ": no temp file left behind");
        }

        Process rerun = start(command.args(out), 0);
        String rerunErr = new String(rerun.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, rerun.waitFor(), name + " rerun: " + rerunErr);
        assertTrue(Files.size(out) > LIMIT_KIB * 1024L, name + ": the rerun wrote the whole output");
    }

    /** axc in its own JVM under a file-size limit of {@code limitKib} (0: none). */
    private static Process start(List<String> args, int limitKib) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", (limitKib > 0 ? "ulimit -f " + limitKib + "; " : "") + "exec \"$@\"", "axc"));
        cmd.addAll(AxcProcess.command(args));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
