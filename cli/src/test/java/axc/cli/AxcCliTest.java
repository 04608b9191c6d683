package axc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import axc.formats.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AxcCliTest {
    static final List<String> COMMANDS = List.of("convert", "quantize", "compile", "run", "validate", "bench", "inspect",
            "tokenize", "targets", "demo");

    @Test
    void helpListsEveryCommandInGroups() {
        CliHarness r = CliHarness.run("--help");
        assertEquals(0, r.code());
        for (String c : COMMANDS) assertTrue(r.out().contains("\n  " + c + " "), "help lists " + c + ":\n" + r.out());
        for (String g : List.of("Model commands:", "Build commands:", "Run commands:", "Diagnostics commands:")) {
            assertTrue(r.out().contains(g), g);
        }
        // Each command sits in its group: convert before compile before run before demo.
        assertTrue(r.out().indexOf("  convert") < r.out().indexOf("Build commands:"));
        assertTrue(r.out().indexOf("  validate") > r.out().indexOf("Run commands:"));
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        for (String c : COMMANDS) {
            CliHarness r = CliHarness.run(c, "--help");
            assertEquals(0, r.code(), c + " --help: " + r.err());
            assertTrue(r.out().startsWith("Usage: axc " + c), c + " --help:\n" + r.out());
        }
    }

    @Test
    void versionNamesAxcAndCommit() throws Exception {
        CliHarness r = CliHarness.run("--version");
        assertEquals(0, r.code());
        // Built from a git checkout, the version names the commit the build saw.
        Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (git.waitFor() == 0) assertEquals(head, VersionInfo.commit(), r.out());
        assertTrue(r.out().matches("(?s)axc \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{7,}|unknown), Java .*"), r.out());
    }

    @Test
    void usageErrorExitsTwoWithOneLine() {
        CliHarness r = CliHarness.run("inspect");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().startsWith("axc: Missing required parameter"), r.err());
        CliHarness unknown = CliHarness.run("--no-such-option");
        assertEquals(ExitCodes.USAGE, unknown.code());
        assertEquals(ExitCodes.USAGE, CliHarness.run("--threads", "0", "inspect", "x").code());
    }

    @Test
    void unknownFileExitsThreeNamingTheFile(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-model");
        CliHarness r = CliHarness.run("inspect", missing.toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(missing.toString()), r.err());
    }

    @Test
    void anUnknownTargetExitsFourNamingTheInstalledOnes() {
        CliHarness r = CliHarness.run("compile", "in", "--target", "tpu", "-o", "out.axc");
        assertEquals(ExitCodes.UNSUPPORTED, r.code());
        assertTrue(r.err().startsWith("axc: unknown target 'tpu' (installed: ") && r.err().contains("cuda") && r.err().contains("npu"), r.err());
    }

    @Test
    void stacktraceOptionPrintsTheTrace(@TempDir Path tmp) {
        CliHarness plain = CliHarness.run("inspect", tmp.resolve("x").toString());
        CliHarness traced = CliHarness.run("--stacktrace", "inspect", tmp.resolve("x").toString());
        assertEquals(plain.code(), traced.code());
        assertTrue(!plain.err().contains("\tat "));
        assertTrue(traced.err().contains("\tat axc."), traced.err());
    }

    @Test
    void jsonOptionWorksBeforeAndAfterTheCommand(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m");
        assertEquals(0, CliHarness.run("-q", "generate", "--preset", "tiny", "-o", model.toString()).code());
        for (String[] args : List.of(new String[]{"--json", "inspect", model.toString()}, new String[]{"inspect", model.toString(), "--json"})) {
            CliHarness r = CliHarness.run(args);
            assertEquals(0, r.code(), r.err());
            JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
            assertEquals("hf-safetensors", j.get("format").asText());
            assertEquals("qwen2", j.get("family").asText());
            assertEquals(26, j.get("tensors").size());
        }
    }

    @Test
    void demoRunsOnTheDefaultModel(@TempDir Path tmp) {
        CliHarness r = CliHarness.run("demo", "--work", tmp.resolve("demo").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("axc-tiny-py: Qwen2ForCausalLM, family qwen2, 11,226,880 parameters"), r.out());
    }
}
