package axc.cli;

import axc.compile.ArtifactCompiler;
import axc.examples.ExampleModels;
import axc.formats.io.Sha256;
import axc.formats.json.Json;
import axc.progress.Progress;
import axc.target.Availability;
import axc.target.CompileOptions;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.testing.RefusingTarget;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partitioned artifacts through the commands, with the real cpu target as the fallback: the test
 * target {@code refusing} (registered in src/test/resources) refuses attention and RoPE by default, so
 * axc-tiny-py splits into 17 segments, 8 of them on cpu. The artifact must run, validate and bench
 * across both, as the checkpoint itself does.
 */
class PartitionedArtifactTest {
    @TempDir
    static Path tmp;
    static Path tinyPy;
    static Path artifact;
    static JsonNode compiled;

    @BeforeAll
    static void compile() {
        tinyPy = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
        artifact = tmp.resolve("tiny-py.axc");
        CliHarness r = CliHarness.run("--json", "-q", "compile", tinyPy.toString(), "--target", "refusing", "-o", artifact.toString());
        assertEquals(0, r.code(), r.err());
        compiled = json(r);
    }

    static JsonNode json(CliHarness r) {
        return Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    }

    @Test
    void compileSaysWhatGoesToCpuAndInspectShowsThePartition() {
        JsonNode p = compiled.get("partition");
        assertEquals("cpu", p.get("fallback").asText(), compiled.toString());
        assertEquals(17, p.get("segments").asInt(), "4 layers: QKV+RoPE | slices | attention | rest, and the embedding");
        assertEquals(8, p.get("fallback_segments").asInt());
        assertEquals(8, p.get("fallback_nodes").asInt());
        assertEquals(24, p.get("boundary_values_per_step").asInt(), "6 values cross per layer");
        assertEquals(8, compiled.get("unsupported").size());

        CliHarness text = CliHarness.run("-q", "compile", tinyPy.toString(), "--target", "refusing", "-o", tmp.resolve("again.axc").toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("partition: 8 of " + p.get("nodes").asInt() + " nodes go to cpu (refusing refuses them), 8 of 17 segments; 24 values"), text.out());
        assertEquals(Sha256.of(artifact), Sha256.of(tmp.resolve("again.axc")), "two compiles are byte-identical");

        CliHarness inspect = CliHarness.run("inspect", artifact.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("partition     8 of " + p.get("nodes").asInt() + " nodes on cpu (refusing refuses them), 17 segments"), inspect.out());
        assertTrue(inspect.out().contains("segment 3    cpu             1 node   %"), inspect.out());
        assertTrue(inspect.out().contains("attention is not implemented on this test device"), inspect.out());
        assertTrue(inspect.out().contains("part/cpu/weights/index.json"), inspect.out());
        CliHarness manifest = CliHarness.run("--json", "inspect", artifact.toString());
        assertEquals("cpu", json(manifest).get("device").get("partition").get("fallback").asText());
    }

    @Test
    void validateRunAndBenchExecuteTheArtifactAcrossBothTargets() {
        CliHarness golden = CliHarness.run("--json", "validate", artifact.toString());
        assertEquals(0, golden.code(), golden.err());
        assertEquals(1.0, json(golden).get("top1").asDouble());
        assertEquals("axc:refusing+cpu", json(golden).get("target").asText());
        assertTrue(json(golden).get("nmse").asDouble() < 1e-8, golden.out());

        CliHarness v = CliHarness.run("--json", "validate", artifact.toString(), "--reference", tinyPy.toString(), "--min-top1", "1", "--max-nmse", "1e-8", "--ppl-tokens", "0");
        assertEquals(0, v.code(), v.out() + v.err());

        CliHarness run = CliHarness.run("--json", "run", artifact.toString(), "--prompt", "def add(a, b):", "--max-tokens", "12");
        CliHarness hf = CliHarness.run("--json", "run", tinyPy.toString(), "--prompt", "def add(a, b):", "--max-tokens", "12");
        assertEquals(0, run.code(), run.err());
        assertEquals(json(hf).get("generated_ids"), json(run).get("generated_ids"));

        CliHarness bench = CliHarness.run("--json", "bench", artifact.toString(), "--prompt-tokens", "8", "--gen-tokens", "4", "--repeat", "1");
        assertEquals(0, bench.code(), bench.err());
        JsonNode b = json(bench);
        assertEquals("refusing+cpu", b.get("backend").asText());
        assertEquals(17, b.get("segments").asInt());
        assertEquals(compiled.get("partition").get("boundary_values_per_step").asDouble(), b.get("boundary_values_per_token").asDouble(), b.toString());
        assertEquals(compiled.get("partition").get("boundary_bytes_per_token").asDouble(), b.get("boundary_bytes_per_token").asDouble(), b.toString());
        CliHarness md = CliHarness.run("bench", artifact.toString(), "--prompt-tokens", "4", "--gen-tokens", "2", "--repeat", "1");
        assertTrue(md.out().contains("partitioned: 17 segments (refusing+cpu)"), md.out());
    }

    @Test
    void anotherSplitOnAGeneratedQwen3() {
        Path model = tmp.resolve("qwen3");
        assertEquals(0, CliHarness.run("-q", "generate", "--preset", "tiny", "--family", "qwen3", "-o", model.toString()).code());
        Path a = tmp.resolve("qwen3.axc");
        CliHarness c = CliHarness.run("--json", "-q", "compile", model.toString(), "--target", "refusing", "--device", "refuse=embedding,rms_norm_matmul", "-o", a.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(json(c).get("partition").get("fallback_segments").asInt() >= 3, c.out());
        CliHarness v = CliHarness.run("--json", "validate", a.toString());
        assertEquals(0, v.code(), v.err());
        assertEquals(1.0, json(v).get("top1").asDouble());
        CliHarness run = CliHarness.run("--json", "run", a.toString(), "--prompt", "Hello world", "--max-tokens", "6");
        CliHarness hf = CliHarness.run("--json", "run", model.toString(), "--prompt", "Hello world", "--max-tokens", "6");
        assertEquals(json(hf).get("generated_ids"), json(run).get("generated_ids"));
    }

    @Test
    void aPartitionedArtifactWhoseFallbackIsNotInstalledExitsSix() {
        // Compiled through the library with a fallback this process does not have installed.
        Path a = tmp.resolve("elsewhere.axc");
        Target away = new RefusingTarget("gpu-host", Set.of());
        ArtifactCompiler.compile(tinyPy, provider(new RefusingTarget(Set.of("attention"))), Optional.of(provider(away)), new TargetOptions(1, null, Map.of()),
                new CompileOptions(null, "tiny"), a, null, Progress.SILENT);
        CliHarness v = CliHarness.run("validate", a.toString());
        assertEquals(ExitCodes.TARGET_UNAVAILABLE, v.code(), v.err());
        assertTrue(v.err().contains("compiled for target 'gpu-host', which is not installed"), v.err());
    }

    static TargetProvider provider(Target t) {
        return new TargetProvider() {
            @Override
            public String id() {
                return t.info().id();
            }

            @Override
            public Availability probe() {
                return Availability.yes();
            }

            @Override
            public Target create(TargetOptions options) {
                return t;
            }
        };
    }
}
