package axc.example.scalar;

import axc.cli.AxcCli;
import axc.examples.ExampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user of the target types, with its jar on the class path: `axc targets` lists it, `axc
 * compile --target scalar` partitions the shipped trained model between it and cpu, and `axc validate`
 * of the artifact passes its golden check (top-1 and NMSE against the float reference).
 */
class ScalarThroughTheCliTest {
    private record Result(int code, String out, String err) {
    }

    private static Result axc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = AxcCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void compilesTheTrainedModelPartitionedAndItsArtifactValidates(@TempDir Path dir) {
        Result targets = axc("targets");
        assertEquals(0, targets.code(), targets.err());
        assertTrue(targets.out().lines().anyMatch(l -> l.startsWith("scalar") && l.contains("available")), targets.out());

        Path model = ExampleModels.extractTinyPy(dir.resolve("axc-tiny-py"));
        Path artifact = dir.resolve("tiny-scalar.axc");
        Result compile = axc("compile", model.toString(), "--target", "scalar", "-o", artifact.toString());
        assertEquals(0, compile.code(), compile.err());
        assertTrue(Files.isRegularFile(artifact));
        assertTrue((compile.out() + compile.err()).contains("scalar refuses"), "the model is partitioned: " + compile.out() + compile.err());

        Result validate = axc("--json", "validate", artifact.toString());
        assertEquals(0, validate.code(), validate.out() + validate.err());
        assertTrue(validate.out().contains("\"passed\" : true"), validate.out());
    }
}
