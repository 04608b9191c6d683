package axc.cli;

import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertCommandTest {
    @TempDir
    Path tmp;

    Path model() {
        Path m = tmp.resolve("m");
        assertEquals(0, CliHarness.run("-q", "generate", "--preset", "tiny", "--family", "qwen3", "-o", m.toString()).code());
        return m;
    }

    @Test
    void hfToGgufToHfWithJsonReports() {
        Path m = model();
        Path gguf = tmp.resolve("m.gguf");
        CliHarness r = CliHarness.run("--json", "-q", "convert", m.toString(), "-o", gguf.toString(), "--dtype", "f16");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
        assertEquals("gguf", j.get("format").asText());
        assertEquals("F16", j.get("dtype").asText());
        assertEquals(24, j.get("tensors").asInt());
        CliHarness inspect = CliHarness.run("--json", "inspect", gguf.toString());
        JsonNode i = Json.parse(inspect.out().getBytes(StandardCharsets.UTF_8), "stdout");
        assertEquals("qwen3", i.get("family").asText());
        assertEquals("qwen3", i.get("metadata").get("general.architecture").asText());
        Path back = tmp.resolve("back");
        assertEquals(0, CliHarness.run("-q", "convert", gguf.toString(), "-o", back.toString(), "--max-shard-size", "5MB").code());
        assertTrue(Files.exists(back.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(back.resolve("tokenizer_config.json")));
        assertEquals(0, CliHarness.run("inspect", back.toString()).code());
    }

    @Test
    void progressLinesGoToStderrUnlessQuiet() {
        Path m = model();
        CliHarness r = CliHarness.run("convert", m.toString(), "-o", tmp.resolve("a.gguf").toString());
        assertEquals(0, r.code());
        assertTrue(r.err().contains("started") && r.err().contains("done"), r.err());
        assertTrue(r.out().contains("MB/s"), r.out());
        CliHarness q = CliHarness.run("-q", "convert", m.toString(), "-o", tmp.resolve("b.gguf").toString());
        assertEquals("", q.err());
    }

    @Test
    void badInputsHaveDistinctExitCodes() throws Exception {
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("convert", tmp.resolve("none").toString(), "-o", tmp.resolve("x.gguf").toString()).code());
        Path m = model();
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("convert", m.toString(), "-o", tmp.resolve("x.gguf").toString(), "--dtype", "f8").code());
        assertEquals(ExitCodes.USAGE, CliHarness.run("convert", m.toString()).code());
        // A corrupt shard: exit 3, one line naming the file, and no output left behind.
        Files.write(m.resolve("model.safetensors"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        Path out = tmp.resolve("y.gguf");
        CliHarness r = CliHarness.run("convert", m.toString(), "-o", out.toString());
        assertEquals(ExitCodes.INVALID_INPUT, r.code());
        assertTrue(r.err().contains("model.safetensors"), r.err());
        assertFalse(Files.exists(out));
        // A MoE config: exit 4 naming the key.
        Path moe = model();
        String cfg = Files.readString(moe.resolve("config.json")).replace("\"vocab_size\"", "\"num_experts\" : 8,\n  \"vocab_size\"");
        Files.writeString(moe.resolve("config.json"), cfg);
        CliHarness u = CliHarness.run("convert", moe.toString(), "-o", out.toString());
        assertEquals(ExitCodes.UNSUPPORTED, u.code(), u.err());
        assertTrue(u.err().contains("'num_experts'"), u.err());
    }
}
