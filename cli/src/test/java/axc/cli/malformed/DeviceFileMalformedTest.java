package axc.cli.malformed;

import axc.examples.ExampleModels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * NPU device files ({@code axc compile --target npu --device FILE}) made wrong. They are parsed by the
 * native simulator, so these cases also show a hostile file cannot crash the JVM through JNI.
 */
class DeviceFileMalformedTest {
    private record Spec(String name, String fragment, String text) {
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedDeviceFileIsRefused(@TempDir Path tmp) {
        Path model = ExampleModels.extractTinyPy(tmp.resolve("model"));
        List<Spec> specs = List.of(
                new Spec("not JSON", "", "{\"engines\": "),
                new Spec("nested half a million deep", "nested deeper", ModelFolder.nested(500_000, "[", "]")),
                new Spec("objects nested 150,000 deep", "nested deeper", ModelFolder.nested(150_000, "{\"a\":", "}")),
                new Spec("a list, not a device", "JSON object", "[1, 2]"),
                new Spec("unknown key", "unknown key", "{\"engines\": 8, \"warp_drive\": true}"),
                new Spec("unknown preset", "unknown preset", "{\"preset\": \"atom-ultra\"}"),
                new Spec("no engines", "engines", "{\"engines\": 0}"),
                new Spec("2^40 engines", "engines", "{\"engines\": 1099511627776}"),
                new Spec("engines a string", "engines", "{\"engines\": \"8\"}"),
                new Spec("negative clock", "clock_ghz", "{\"clock_ghz\": -1}"),
                new Spec("memory past 2^48 bytes", "byte count in", "{\"dram\": {\"bytes\": 1e300}}"),
                new Spec("negative memory", "spm.bytes", "{\"spm\": {\"bytes\": -4096}}"),
                new Spec("a number too long to parse", "", "{\"clock_ghz\": 1" + "0".repeat(100_000) + "}"),
                new Spec("a string that never ends", "", "{\"preset\": \"atom"),
                new Spec("larger than 1 MiB", "larger than 1 MiB", "{\"preset\": \"atom\"" + " ".repeat(2 << 20) + "}"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Spec s : specs) {
            tests.add(DynamicTest.dynamicTest(s.name(), () -> {
                Path dir = Files.createDirectories(tmp.resolve(s.name().replaceAll("[^A-Za-z0-9^]+", "-")));
                Path device = Files.writeString(dir.resolve("device.json"), s.text());
                Path out = dir.resolve("out.axc");
                new Refusal(s.name(), device, s.fragment(), out,
                        "compile", model.toString(), "--target", "npu", "--device", device.toString(), "-o", out.toString()).check();
            }));
        }
        return tests.stream();
    }
}
