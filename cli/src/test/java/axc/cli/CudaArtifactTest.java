package axc.cli;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.examples.ExampleModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cuda artifacts of the trained model, compiled where there is no GPU (as on CI): what they hold, that
 * they are reproducible, that weights the kernels cannot decode fall back to cpu, and that running
 * one here is refused with exit 6 and one line, not a crash. Running them is the GPU check's job
 * (targets/cuda/gpu-check).
 */
class CudaArtifactTest {
    @TempDir
    static Path tmp;
    static Path q8;

    @BeforeAll
    static void model() {
        Path tinyPy = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
        q8 = tmp.resolve("q8.gguf");
        assertEquals(0, CliHarness.run("-q", "quantize", tinyPy.toString(), "-o", q8.toString(), "--preset", "q8_0").code());
    }

    @Test
    void anArtifactCarriesItsKernelsBinaryForEveryArchAndPackedWeights() throws Exception {
        Path a = tmp.resolve("a.axc"), b = tmp.resolve("b.axc");
        CliHarness c = CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", a.toString());
        assertEquals(0, c.code(), c.err());
        assertEquals(0, CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", b.toString()).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "two compiles, byte for byte");
        try (Bundle bundle = Bundle.open(a)) {
            assertTrue(bundle.contains("code/kernels.cu") && bundle.contains("code/kernels.fatbin") && bundle.contains("code/ptxas.txt"), bundle.names().toString());
            assertFalse(bundle.contains("partition.json"), "every node of a Q8_0 model runs on cuda");
            String source = new String(bundle.bytes("code/kernels.cu"), StandardCharsets.UTF_8);
            assertTrue(source.contains("axc_gemv_q8_0_"), "a Q8_0 GEMV specialisation");
            String ptxas = new String(bundle.bytes("code/ptxas.txt"), StandardCharsets.UTF_8);
            for (String arch : List.of("sm_80", "sm_86", "sm_89", "sm_90")) assertTrue(ptxas.contains("axc_gemv_q8_0_" ) && ptxas.contains(arch), arch);
            for (String line : ptxas.lines().toList()) {
                if (line.startsWith("axc_gemv") || line.startsWith("axc_attention_split")) {
                    assertTrue(line.contains("spill_stores=0 spill_loads=0"), line);
                }
            }
            BundleTensors t = BundleTensors.open(bundle);
            long packed = t.tensors().stream().filter(i -> t.layout(i.name()).filter("cuda-rows-v1"::equals).isPresent()).count();
            assertTrue(packed > 0, "Q8_0 matrices in the cuda layout");
        }
    }

    @Test
    void withoutNvccTheArtifactCarriesSourceForNvrtc() {
        Path a = tmp.resolve("src-only.axc");
        String before = System.getProperty("axc.cuda.nvcc");
        try {
            System.setProperty("axc.cuda.nvcc", "none");
            assertEquals(0, CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", a.toString()).code());
        } finally {
            if (before == null) System.clearProperty("axc.cuda.nvcc");
            else System.setProperty("axc.cuda.nvcc", before);
        }
        try (Bundle bundle = Bundle.open(a)) {
            assertTrue(bundle.contains("code/kernels.cu"));
            assertFalse(bundle.contains("code/kernels.fatbin"));
        }
    }

    @Test
    void aKernelCacheStandsInForNvccOnAMachineWithoutIt() throws Exception {
        Path cache = tmp.resolve("kernel-cache"), withNvcc = tmp.resolve("nvcc.axc"), fromCache = tmp.resolve("cached.axc");
        try {
            System.setProperty("axc.cuda.cache", cache.toString());
            assertEquals(0, CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", withNvcc.toString()).code());
            try (var files = Files.list(cache)) {
                assertEquals(2, files.count(), "the fatbin and ptxas's report, by the source's sha256");
            }
            System.setProperty("axc.cuda.nvcc", "none");
            assertEquals(0, CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", fromCache.toString()).code());
        } finally {
            System.clearProperty("axc.cuda.cache");
            System.clearProperty("axc.cuda.nvcc");
        }
        assertArrayEquals(Files.readAllBytes(withNvcc), Files.readAllBytes(fromCache), "the cached binary, byte for byte");
    }

    @Test
    void weightsWithoutACudaKernelRunOnCpu() {
        Path gguf = tmp.resolve("q4km.gguf"), a = tmp.resolve("q4km.axc");
        Path tinyPy = tmp.resolve("axc-tiny-py");
        assertEquals(0, CliHarness.run("-q", "quantize", tinyPy.toString(), "-o", gguf.toString(), "--preset", "q4_k_m").code());
        CliHarness c = CliHarness.run("compile", gguf.toString(), "--target", "cuda", "-o", a.toString());
        assertEquals(0, c.code(), c.err());
        try (Bundle bundle = Bundle.open(a)) {
            assertTrue(bundle.contains("partition.json"), "Q4_K_M's K-quant and Q5 matrices go to the cpu target");
            String p = new String(bundle.bytes("partition.json"), StandardCharsets.UTF_8);
            assertTrue(p.contains("has no kernel here"), p);
        }
    }

    @Test
    void runningWithoutAGpuExitsSixWithOneLine() {
        Path a = tmp.resolve("run.axc");
        assertEquals(0, CliHarness.run("-q", "compile", q8.toString(), "--target", "cuda", "-o", a.toString()).code());
        for (List<String> cmd : List.of(List.of("run", a.toString(), "--prompt", "hi", "--max-tokens", "2"),
                List.of("validate", a.toString()), List.of("bench", a.toString()))) {
            CliHarness r = CliHarness.run(cmd.toArray(String[]::new));
            assertEquals(6, r.code(), cmd + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), cmd + ": " + r.err());
            assertTrue(r.err().contains("unavailable") && r.err().contains("no CUDA driver"), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        }
        CliHarness t = CliHarness.run("targets");
        assertTrue(t.out().contains("cuda") && t.out().contains("no CUDA driver"), t.out());
    }
}
