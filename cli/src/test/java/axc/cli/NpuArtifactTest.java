package axc.cli;

import axc.examples.ExampleModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * npu artifacts of the trained model through the CLI: matmuls on the simulated RNPU-A in W8A8, the
 * rest on cpu. Against the float checkpoint they must meet NPU.md's W8A8 bounds (top-1 >= 98%, mean
 * KL <= 0.02 nats); compiles are byte-identical; a bad device file is a one-line input error.
 */
class NpuArtifactTest {
    @TempDir
    static Path tmp;
    static Path tinyPy;

    @BeforeAll
    static void model() {
        tinyPy = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
    }

    @Test
    void w8a8OnTheSimulatorMeetsTheBoundsAgainstTheCheckpoint() throws Exception {
        Path a = tmp.resolve("a.axc"), b = tmp.resolve("b.axc");
        CliHarness c = CliHarness.run("compile", tinyPy.toString(), "--target", "npu", "-o", a.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("go to cpu (npu refuses them)"), c.out());
        assertEquals(0, CliHarness.run("-q", "compile", tinyPy.toString(), "--target", "npu", "-o", b.toString()).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "two compiles, byte for byte");
        CliHarness v = CliHarness.run("--json", "validate", a.toString(), "--reference", tinyPy.toString(), "--ppl-tokens", "0",
                "--min-top1", "0.98", "--max-kl", "0.02");
        assertEquals(0, v.code(), v.out() + v.err());
        CliHarness golden = CliHarness.run("validate", a.toString());
        assertEquals(0, golden.code(), golden.out() + golden.err());
    }

    @Test
    void aBadDeviceFileIsAOneLineInputError() throws Exception {
        Path dev = tmp.resolve("device.json");
        Files.writeString(dev, "{\"preset\":\"atom\",\"tu\":{\"rows\":64,\"colums\":128}}");
        CliHarness c = CliHarness.run("compile", tinyPy.toString(), "--target", "npu", "--device", dev.toString(), "-o", tmp.resolve("x.axc").toString());
        assertEquals(3, c.code(), c.err());
        assertTrue(c.err().contains("tu.colums") && c.err().contains(dev.toString()), c.err());
        assertEquals(1, c.err().strip().lines().filter(l -> l.startsWith("axc:")).count(), c.err());
        CliHarness p = CliHarness.run("compile", tinyPy.toString(), "--target", "npu", "--device", "tpu-v9", "-o", tmp.resolve("y.axc").toString());
        assertEquals(3, p.code(), p.err());
        assertTrue(p.err().contains("atom, atom-max, rebel-chiplet"), p.err());
        CliHarness ok = CliHarness.run("-q", "compile", tinyPy.toString(), "--target", "npu", "--device", "rebel-chiplet", "-o", tmp.resolve("z.axc").toString());
        assertEquals(0, ok.code(), ok.err());
    }
}
