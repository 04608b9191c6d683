package axc.cli.malformed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Tokenizer files made wrong, each fed to both readers that take them: {@code axc tokenize} (the
 * tokenizer itself) and {@code axc convert} (which copies the vocabulary into GGUF metadata).
 */
class TokenizerMalformedTest {
    private static final String TJ = "tokenizer.json";

    private interface Setup {
        /** Changes the folder; {@code tj} is tokenizer.json's parsed text, written back after when changed. */
        Path apply(Path dir, ObjectNode tj) throws IOException;
    }

    private record Spec(String name, String fragment, Setup setup) {
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedTokenizerIsRefused(@TempDir Path tmp) {
        ModelFolder models = new ModelFolder(tmp);
        ObjectNode good = ModelFolder.json(models.original().resolve(TJ));
        List<Spec> specs = List.of(
                new Spec("not JSON", "malformed JSON", (d, j) -> ModelFolder.replace(d.resolve(TJ), "{\"model\": {\"vocab\": {")),
                new Spec("nested a million deep", "nesting depth", (d, j) -> ModelFolder.replace(d.resolve(TJ), ModelFolder.nested(1_000_000, "{\"model\":", "}"))),
                new Spec("larger than any tokenizer", "larger than", (d, j) -> ModelFolder.sparse(d.resolve(TJ), 3L << 30)),
                new Spec("no vocabulary", "vocabulary", (d, j) -> {
                    model(j).remove("vocab");
                    return d.resolve(TJ);
                }),
                new Spec("negative token id", "id", (d, j) -> {
                    vocab(j).put("Ġthe", -5);
                    return d.resolve(TJ);
                }),
                new Spec("token id past 32 bits", "id", (d, j) -> {
                    vocab(j).put("Ġthe", 1L << 40);
                    return d.resolve(TJ);
                }),
                new Spec("absurd token id", "id", (d, j) -> {
                    vocab(j).put("Ġthe", Integer.MAX_VALUE - 1);
                    return d.resolve(TJ);
                }),
                new Spec("two tokens with one id", "both", (d, j) -> {
                    vocab(j).put("Ġthe", vocab(j).get("a").asInt());
                    return d.resolve(TJ);
                }),
                new Spec("merges not a list", "merges", (d, j) -> {
                    model(j).put("merges", "a b");
                    return d.resolve(TJ);
                }),
                new Spec("a merge that is not a pair", "merge", (d, j) -> {
                    ((ArrayNode) model(j).get("merges")).insert(0, j.numberNode(7));
                    return d.resolve(TJ);
                }),
                new Spec("added token with an absurd id", "id", (d, j) -> {
                    ((ArrayNode) j.get("added_tokens")).addObject().put("id", Integer.MAX_VALUE).put("content", "<|x|>").put("special", true);
                    return d.resolve(TJ);
                }),
                new Spec("added token without content", "content", (d, j) -> {
                    ((ArrayNode) j.get("added_tokens")).addObject().put("id", 40000).put("special", true);
                    return d.resolve(TJ);
                }),
                new Spec("pre-tokenizer regex that does not compile", "regular expression", (d, j) -> {
                    ((ObjectNode) j.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern")).put("Regex", "(?<x");
                    return d.resolve(TJ);
                }),
                new Spec("merges.txt line not a pair", "merge", (d, j) -> {
                    Files.delete(d.resolve(TJ));
                    return ModelFolder.replace(d.resolve("merges.txt"), "#version: 0.2\nĠ t\nnospace\n");
                }),
                new Spec("vocab.json an array", "vocabulary", (d, j) -> {
                    Files.delete(d.resolve(TJ));
                    return ModelFolder.replace(d.resolve("vocab.json"), "[1, 2]");
                }));
        List<DynamicTest> tests = new ArrayList<>();
        for (Spec s : specs) {
            // convert copies the vocabulary and merges; the GGUF names its pre-tokenizer and never holds the regex.
            List<String> commands = s.name().startsWith("pre-tokenizer") ? List.of("tokenize") : List.of("tokenize", "convert");
            for (String command : commands) {
                String name = command + ": " + s.name();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Path dir = models.copy(name);
                    ObjectNode tj = good.deepCopy();
                    Path blamed = s.setup().apply(dir, tj);
                    if (!tj.equals(good)) ModelFolder.replace(dir.resolve(TJ), tj.toString());
                    Path out = dir.resolveSibling(dir.getFileName() + ".gguf");
                    String[] args = command.equals("tokenize")
                            ? new String[]{"tokenize", dir.toString(), "--text", "hello world"}
                            : new String[]{"convert", dir.toString(), "-o", out.toString()};
                    new Refusal(name, blamed, s.fragment(), out, args).check();
                }));
            }
        }
        return tests.stream();
    }

    private static ObjectNode model(ObjectNode tj) {
        return (ObjectNode) tj.get("model");
    }

    private static ObjectNode vocab(ObjectNode tj) {
        return (ObjectNode) model(tj).get("vocab");
    }
}
