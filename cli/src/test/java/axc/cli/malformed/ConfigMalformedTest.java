package axc.cli.malformed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@code config.json} made wrong: syntax, nesting, size, missing or impossible numbers, numbers the weights contradict. */
class ConfigMalformedTest {
    private static final String CONFIG = "config.json";

    private interface Setup {
        void apply(Path config, ObjectNode json) throws IOException;
    }

    /** {@code byWeights}: the weights contradict the config, and the error names the model folder that holds both. */
    private record Spec(String name, String fragment, Setup setup, boolean byWeights) {
        Spec(String name, String fragment, Setup setup) {
            this(name, fragment, setup, false);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedConfigIsRefused(@TempDir Path tmp) {
        ModelFolder models = new ModelFolder(tmp);
        ObjectNode good = ModelFolder.json(models.original().resolve(CONFIG));
        List<Spec> specs = List.of(
                new Spec("not JSON", "malformed JSON", (f, j) -> raw(f, "{\"hidden_size\": 256,")),
                new Spec("trailing garbage", "malformed JSON", (f, j) -> raw(f, j + " }")),
                new Spec("nested a million deep", "nesting depth", (f, j) -> raw(f, ModelFolder.nested(1_000_000, "[", "]"))),
                new Spec("a JSON array", "not a JSON object", (f, j) -> raw(f, "[]")),
                new Spec("duplicate keys", "duplicate", (f, j) -> raw(f, j.toString().replace("{", "{\"hidden_size\": 512, "))),
                new Spec("larger than any config", "larger than", (f, j) -> ModelFolder.sparse(f, 1L << 31)),
                new Spec("a link to a device", "leaves the checkpoint folder", (f, j) -> {
                    Files.delete(f);
                    Files.createSymbolicLink(f, Path.of("/dev/zero"));
                }),
                new Spec("hidden_size missing", "missing key 'hidden_size'", (f, j) -> j.remove("hidden_size")),
                new Spec("hidden_size negative", "positive integer", (f, j) -> j.put("hidden_size", -256)),
                new Spec("hidden_size a string", "positive integer", (f, j) -> j.put("hidden_size", "256")),
                new Spec("hidden_size past 32 bits", "positive integer", (f, j) -> j.put("hidden_size", 1L << 40)),
                new Spec("no layers", "positive integer", (f, j) -> j.put("num_hidden_layers", 0)),
                new Spec("heads do not divide hidden_size", "multiple of num_attention_heads 6", (f, j) -> {
                    j.put("num_attention_heads", 6);
                    j.put("num_key_value_heads", 2);
                }),
                new Spec("kv heads do not divide heads", "multiple of num_key_value_heads", (f, j) -> j.put("num_key_value_heads", 3)),
                new Spec("rms_norm_eps negative", "rms_norm_eps", (f, j) -> j.put("rms_norm_eps", -1e-6)),
                new Spec("no architecture", "architectures", (f, j) -> {
                    j.remove("architectures");
                    j.remove("model_type");
                }),
                new Spec("more layers than the weights hold", "missing", (f, j) -> j.put("num_hidden_layers", 1_000_000), true),
                new Spec("vocab_size the embedding contradicts", "config implies", (f, j) -> j.put("vocab_size", 32000), true),
                new Spec("intermediate_size the weights contradict", "config implies", (f, j) -> j.put("intermediate_size", 1024), true),
                new Spec("absurd vocab_size", "config implies", (f, j) -> j.put("vocab_size", Integer.MAX_VALUE), true));
        return specs.stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
            Path dir = models.copy(s.name());
            Path config = dir.resolve(CONFIG);
            ObjectNode json = good.deepCopy();
            s.setup().apply(config, json);
            if (!json.equals(good)) ModelFolder.replace(config, json.toString());
            Path out = dir.resolveSibling(dir.getFileName() + ".gguf");
            new Refusal(s.name(), s.byWeights() ? dir : config, s.fragment(), out, "convert", dir.toString(), "-o", out.toString()).check();
        }));
    }

    private static void raw(Path f, Object text) {
        ModelFolder.replace(f, text.toString());
    }
}
