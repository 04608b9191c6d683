package axc.cli;

import axc.formats.io.Sha256;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompileCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void generate() {
        model = tmp.resolve("m");
        assertEquals(0, CliHarness.run("-q", "generate", "--preset", "tiny", "--family", "qwen3", "-o", model.toString()).code());
    }

    static JsonNode json(CliHarness r) {
        return Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    }

    @Test
    void compileReportsFusionAndMemoryAndDumpsIr() throws Exception {
        Path out = tmp.resolve("a.axc");
        Path dump = tmp.resolve("dump");
        CliHarness r = CliHarness.run("--json", "-q", "compile", model.toString(), "--target", "reference", "-o", out.toString(), "--dump-ir", dump.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r);
        assertTrue(j.get("ops_after").asInt() < j.get("ops_before").asInt(), j.toString());
        assertTrue(j.get("peak_activation_bytes_after").asLong() <= j.get("peak_activation_bytes_before").asLong(), j.toString());
        assertTrue(Files.exists(dump.resolve("03-FuseQkv.axir")));
        try (var files = Files.list(dump)) {
            assertEquals(j.get("passes").size() + 1, files.count());
        }
        CliHarness inspect = CliHarness.run("--json", "inspect", out.toString());
        assertEquals(0, inspect.code(), inspect.err());
        JsonNode m = json(inspect);
        assertEquals("reference", m.get("target").asText());
        assertTrue(m.get("sources").has("model.safetensors"), m.toString());
    }

    @Test
    void twoCompilesAreByteIdentical() {
        Path a = tmp.resolve("x.axc");
        Path b = tmp.resolve("y.axc");
        assertEquals(0, CliHarness.run("-q", "compile", model.toString(), "--target", "reference", "-o", a.toString()).code());
        assertEquals(0, CliHarness.run("-q", "compile", model.toString(), "--target", "reference", "-o", b.toString()).code());
        assertEquals(Sha256.of(a), Sha256.of(b));
    }

    @Test
    void artifactsRunAndPassTheirGoldenCheckAndTamperingIsRefused() throws Exception {
        Path a = tmp.resolve("run.axc");
        assertEquals(0, CliHarness.run("-q", "compile", model.toString(), "--target", "reference", "-o", a.toString()).code());
        CliHarness v = CliHarness.run("--json", "validate", a.toString());
        assertEquals(0, v.code(), v.err());
        assertEquals(1.0, json(v).get("top1").asDouble());
        CliHarness run = CliHarness.run("--json", "run", a.toString(), "--prompt", "Hello world", "--max-tokens", "4");
        assertEquals(0, run.code(), run.err());
        CliHarness hf = CliHarness.run("--json", "run", model.toString(), "--prompt", "Hello world", "--max-tokens", "4");
        assertEquals(json(hf).get("generated_ids").toString(), json(run).get("generated_ids").toString());
        // Flip one byte of the last entry's data (the weights): the artifact is refused with exit 3.
        Path bad = tmp.resolve("bad.axc");
        Files.copy(a, bad);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long pos = f.length() - 2048;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x40);
        }
        CliHarness t = CliHarness.run("validate", bad.toString());
        assertEquals(ExitCodes.INVALID_INPUT, t.code(), t.err());
    }

    @Test
    void unknownTargetAndBadOutputNameAreRefused() {
        assertEquals(ExitCodes.UNSUPPORTED, CliHarness.run("compile", model.toString(), "--target", "nosuch", "-o", tmp.resolve("z.axc").toString()).code());
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("compile", model.toString(), "--target", "reference", "-o", tmp.resolve("z.bin").toString()).code());
        CliHarness targets = CliHarness.run("--json", "targets", "--explain");
        assertEquals(0, targets.code());
        java.util.List<String> ids = new java.util.ArrayList<>();
        json(targets).get("targets").forEach(t -> ids.add(t.get("id").asText()));
        // refusing: the test target registered in src/test/resources (PartitionedArtifactTest).
        assertEquals(java.util.List.of("cpu", "cuda", "npu", "reference", "refusing"), ids, "installed targets, by id");
    }
}
