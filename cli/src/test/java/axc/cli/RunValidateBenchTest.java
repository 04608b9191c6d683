package axc.cli;

import axc.examples.ExampleModels;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunValidateBenchTest {
    @TempDir
    static Path tmp;
    static Path tinyPy;
    static JsonNode reference;

    @BeforeAll
    static void models() {
        tinyPy = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
        reference = Json.read(tinyPy.resolve("reference.json"));
    }

    static JsonNode json(CliHarness r) {
        return Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    }

    @Test
    void runStreamsThePyTorchGreedyContinuation() {
        JsonNode p = reference.get("prompts").get(0);
        CliHarness r = CliHarness.run("run", tinyPy.toString(), "--prompt", p.get("prompt").asText(), "--max-tokens", "32");
        assertEquals(0, r.code(), r.err());
        assertEquals(p.get("greedy_continuation_text").asText() + "\n", r.out());
        assertTrue(r.err().contains("tok/s"), r.err());
    }

    @Test
    void runChatUsesTheChatTemplateAndJsonReportsIds() {
        JsonNode p = reference.get("prompts").get(3); // the ChatML prompt
        CliHarness r = CliHarness.run("--json", "run", tinyPy.toString(), "--chat", "Write a Python function that adds two numbers.",
                "--system", "You are a helpful assistant.", "--max-tokens", "8");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r);
        assertEquals(p.get("input_ids").toString(), j.get("prompt_ids").toString());
        for (int i = 0; i < 8; i++) assertEquals(p.get("greedy_continuation_ids").get(i).asInt(), j.get("generated_ids").get(i).asInt());
    }

    @Test
    void validateAgainstItselfPassesWithTheDocumentedSchema() {
        CliHarness r = CliHarness.run("--json", "validate", tinyPy.toString(), "--reference", tinyPy.toString(), "--min-top1", "1", "--max-kl", "0", "--ppl-tokens", "64");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r);
        for (String k : List.of("top1", "kl_mean", "kl_max", "nmse", "ppl_candidate", "ppl_reference", "passed")) assertTrue(j.has(k), k);
        assertEquals(1.0, j.get("top1").asDouble());
        assertEquals(0.0, j.get("nmse").asDouble());
        assertEquals(j.get("ppl_candidate").asDouble(), j.get("ppl_reference").asDouble());
        assertTrue(j.get("passed").asBoolean());
    }

    @Test
    void validateFailsWithExitSevenBelowThreshold() {
        // bf16 -> f16 is exact for these weights; f16 -> bf16 of an f32 model is not.
        Path f32 = tmp.resolve("f32");
        Path bf16 = tmp.resolve("bf16");
        assertEquals(0, CliHarness.run("-q", "generate", "--preset", "tiny", "--dtype", "f32", "-o", f32.toString()).code());
        assertEquals(0, CliHarness.run("-q", "convert", f32.toString(), "-o", bf16.toString(), "--dtype", "bf16").code());
        CliHarness ok = CliHarness.run("--json", "validate", bf16.toString(), "--reference", f32.toString(), "--min-top1", "0.8", "--ppl-tokens", "0");
        assertEquals(0, ok.code(), ok.err());
        double kl = json(ok).get("kl_mean").asDouble();
        assertTrue(kl > 1e-7 && kl < 0.05, "rounding the weights to bf16 is a small change: " + kl);
        CliHarness bad = CliHarness.run("validate", bf16.toString(), "--reference", f32.toString(), "--max-kl", "1e-9", "--ppl-tokens", "0");
        assertEquals(ExitCodes.VALIDATION_FAILED, bad.code());
        assertTrue(bad.out().contains("FAILED: kl_mean"), bad.out());
    }

    @Test
    void validateReadsPromptFilesAndRejectsBadOnes() throws Exception {
        Path prompts = tmp.resolve("prompts.txt");
        Files.writeString(prompts, "def add(a, b):\\n    return a + b\nimport os\n");
        assertEquals(0, CliHarness.run("-q", "validate", tinyPy.toString(), "--reference", tinyPy.toString(), "--prompts", prompts.toString(), "--ppl-tokens", "0").code());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"not\": \"a list\"}");
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("validate", tinyPy.toString(), "--reference", tinyPy.toString(), "--prompts", bad.toString()).code());
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("validate", tinyPy.toString(), "--reference", tmp.resolve("missing").toString()).code());
    }

    @Test
    void benchReportsTheDocumentedFields() {
        CliHarness r = CliHarness.run("--json", "bench", tinyPy.toString(), "--prompt-tokens", "8", "--gen-tokens", "4", "--repeat", "2", "--probe-mib", "64");
        assertEquals(0, r.code(), r.err());
        JsonNode j = json(r);
        for (String k : List.of("prefill_tokens_per_s", "decode_tokens_per_s", "peak_rss_bytes", "weight_bytes", "read_gb_per_s",
                "roofline_tokens_per_s", "roofline_fraction")) {
            assertTrue(j.get(k).asDouble() > 0, k + " = " + j.get(k));
        }
        // The roofline is the measured bandwidth over the bytes a token reads.
        assertEquals(j.get("read_gb_per_s").asDouble() * 1e9 / j.get("weight_bytes").asDouble(), j.get("roofline_tokens_per_s").asDouble(), 1e-6 * j.get("roofline_tokens_per_s").asDouble());
        CliHarness md = CliHarness.run("bench", tinyPy.toString(), "--prompt-tokens", "4", "--gen-tokens", "2", "--repeat", "1", "--probe-mib", "0");
        assertTrue(md.out().contains("| pp4 |") && md.out().contains("| tg2 |"), md.out());
        assertTrue(!md.out().contains("roofline"), "no probe, no roofline line: " + md.out());
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("bench", tinyPy.toString(), "--probe-mib", "-1").code());
    }
}
