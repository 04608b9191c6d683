package axc.cli.malformed;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * PyTorch pickle checkpoints are refused, never unpickled. The pickle here calls
 * {@code os.system("touch MARKER")} when loaded, as a malicious checkpoint would; every command that
 * takes a model must refuse it with the way to convert it, and the marker must never appear.
 */
class PickleRefusedTest {
    @TestFactory
    Stream<DynamicTest> aMaliciousPickleIsRefusedAndNeverRun(@TempDir Path tmp) throws IOException {
        ModelFolder models = new ModelFolder(tmp);
        Path marker = tmp.resolve("pwned");
        // Protocol 0: push os.system, a tuple of one string, and call it (REDUCE).
        byte[] pickle = ("cos\nsystem\n(S'touch " + marker + "'\ntR.").getBytes(StandardCharsets.US_ASCII);
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : List.of("pytorch_model.bin", "model.pt")) {
            Path dir = models.copy(file);
            Files.delete(dir.resolve(ModelFolder.WEIGHTS));
            Files.write(dir.resolve(file), pickle);
            Path gguf = tmp.resolve(file + ".gguf"), axc = tmp.resolve(file + ".axc");
            for (String[] args : List.of(
                    new String[]{"convert", dir.toString(), "-o", gguf.toString()},
                    new String[]{"quantize", dir.toString(), "-o", gguf.toString(), "--preset", "q8_0"},
                    new String[]{"compile", dir.toString(), "--target", "cpu", "-o", axc.toString()},
                    new String[]{"inspect", dir.toString()},
                    new String[]{"convert", dir.resolve(file).toString(), "-o", gguf.toString()},
                    new String[]{"compile", dir.resolve(file).toString(), "--target", "cpu", "-o", axc.toString()})) {
                String name = String.join(" ", args[0], args[1].equals(dir.toString()) ? "folder with " + file : file);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    new Refusal(name, dir.resolve(file), "pickle", args[0].equals("compile") ? axc : gguf, args).check();
                    assertFalse(Files.exists(marker), name + ": the pickle ran");
                }));
            }
        }
        return tests.stream();
    }
}
