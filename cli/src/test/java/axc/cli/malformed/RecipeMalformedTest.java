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

/** Quantization recipes (YAML and JSON) made wrong, fed to {@code axc quantize --recipe}. */
class RecipeMalformedTest {
    private record Spec(String name, String file, String fragment, String text) {
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedRecipeIsRefused(@TempDir Path tmp) {
        Path model = ExampleModels.extractTinyPy(tmp.resolve("model"));
        StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            laughs.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) laughs.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            laughs.append("]\n");
        }
        laughs.append("base: q8_0\n");
        List<Spec> specs = List.of(
                new Spec("YAML syntax error", "r.yaml", "malformed YAML", "base: q8_0\nrules: [\n  - match: x"),
                new Spec("YAML nested a million deep", "r.yaml", "malformed YAML", ModelFolder.nested(1_000_000, "[", "]")),
                new Spec("YAML alias bomb", "r.yaml", "unknown key 'a'", laughs.toString()),
                new Spec("JSON syntax error", "r.json", "malformed JSON", "{\"base\": \"q8_0\","),
                new Spec("JSON nested a million deep", "r.json", "nesting depth", ModelFolder.nested(1_000_000, "{\"a\":", "}")),
                new Spec("a list, not a recipe", "r.yaml", "a recipe is an object", "- base: q8_0\n"),
                new Spec("misspelt key", "r.yaml", "unknown key 'rule'", "base: q8_0\nrule:\n  - match: x\n    type: f16\n"),
                new Spec("no base", "r.yaml", "missing key 'base'", "algorithm: rtn\n"),
                new Spec("unknown base", "r.yaml", "unknown scheme", "base: q9_9\n"),
                new Spec("base not a string", "r.yaml", "must be a string", "base: [q8_0]\n"),
                new Spec("unknown algorithm", "r.yaml", "algorithm", "base: q8_0\nalgorithm: magic\n"),
                new Spec("rules not a list", "r.yaml", "must be a list", "base: q8_0\nrules: q4_0\n"),
                new Spec("rule with an unknown type", "r.yaml", "is not a tensor type", "base: q8_0\nrules:\n  - match: token_embd\n    type: q9_9\n"),
                new Spec("rule regex that does not compile", "r.yaml", "not a valid regex", "base: q8_0\nrules:\n  - match: \"(?<x\"\n    type: f16\n"),
                new Spec("larger than any recipe", "big.yaml", "larger than", null));
        List<DynamicTest> tests = new ArrayList<>();
        for (Spec s : specs) {
            tests.add(DynamicTest.dynamicTest(s.name(), () -> {
                Path dir = Files.createDirectories(tmp.resolve(s.name().replaceAll("[^A-Za-z0-9]+", "-")));
                Path recipe = dir.resolve(s.file());
                if (s.text() != null) {
                    Files.writeString(recipe, s.text());
                } else {
                    ModelFolder.sparse(recipe, 3L << 30);
                }
                Path out = dir.resolve("out.gguf");
                new Refusal(s.name(), recipe, s.fragment(), out, "quantize", model.toString(), "--recipe", recipe.toString(), "-o", out.toString()).check();
            }));
        }
        return tests.stream();
    }
}
