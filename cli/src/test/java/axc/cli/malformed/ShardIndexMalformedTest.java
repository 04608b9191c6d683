package axc.cli.malformed;

import axc.cli.malformed.ModelFolder.Safetensors;
import axc.cli.malformed.ModelFolder.Tensor;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static axc.cli.malformed.ModelFolder.WEIGHTS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checkpoint split into two shards by {@code model.safetensors.index.json}, whose index and shards
 * are made wrong: names that leave the folder, links, missing, misplaced and doubled tensors.
 */
class ShardIndexMalformedTest {
    private static final String INDEX = "model.safetensors.index.json";
    private static final String A = "model-00001-of-00002.safetensors", B = "model-00002-of-00002.safetensors";
    private static final String Q = "model.layers.0.self_attn.q_proj.weight";

    private interface Setup {
        void apply(Path dir, ObjectNode index) throws IOException;
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedShardedCheckpointIsRefused(@TempDir Path tmp) throws IOException {
        ModelFolder models = new ModelFolder(tmp);
        LinkedHashMap<String, Tensor> all = Safetensors.read(models.original().resolve(WEIGHTS)).tensors();
        Map<String, Tensor> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        all.forEach((k, v) -> (first.size() < all.size() / 2 ? first : second).put(k, v));
        assertEquals(Q, first.keySet().stream().filter(Q::equals).findFirst().orElseThrow(), "q_proj is in the first shard");
        byte[] shardA = Safetensors.of(first), shardB = Safetensors.of(second);
        ObjectNode goodIndex = Json.MAPPER.createObjectNode();
        ObjectNode map = goodIndex.putObject("weight_map");
        first.keySet().forEach(k -> map.put(k, A));
        second.keySet().forEach(k -> map.put(k, B));
        Path outside = Files.write(tmp.resolve("outside.safetensors"), shardA);

        List<DynamicTest> cases = new ArrayList<>();
        record Spec(String name, String blamed, String fragment, Setup setup) {
        }
        List<Spec> specs = List.of(
                new Spec("shard name with ..", INDEX, "not a plain file name", (d, i) -> weightMap(i).put(Q, "../" + A)),
                new Spec("absolute shard name", INDEX, "not a plain file name", (d, i) -> weightMap(i).put(Q, outside.toString())),
                new Spec("shard name with a NUL", INDEX, "not a plain file name", (d, i) -> weightMap(i).put(Q, A + "\u0000.txt")),
                new Spec("shard name not a string", INDEX, "not a file name", (d, i) -> weightMap(i).put(Q, 1)),
                new Spec("missing shard", INDEX, "does not exist", (d, i) -> Files.delete(d.resolve(B))),
                new Spec("shard linked outside the folder", INDEX, "leaves the checkpoint folder", (d, i) -> {
                    Files.delete(d.resolve(A));
                    Files.createSymbolicLink(d.resolve(A), outside);
                }),
                new Spec("shard linked to a device", INDEX, "leaves the checkpoint folder", (d, i) -> {
                    Files.delete(d.resolve(A));
                    Files.createSymbolicLink(d.resolve(A), Path.of("/dev/zero"));
                }),
                new Spec("shard is a named pipe", A, "not a regular file", (d, i) -> {
                    Files.delete(d.resolve(A));
                    mkfifo(d.resolve(A));
                }),
                new Spec("shard is a directory", A, "not a regular file", (d, i) -> {
                    Files.delete(d.resolve(A));
                    Files.createDirectory(d.resolve(A));
                }),
                new Spec("tensor listed but not in its shard", A, "missing from this shard", (d, i) -> {
                    Map<String, Tensor> without = new LinkedHashMap<>(first);
                    without.remove(Q);
                    ModelFolder.replace(d.resolve(A), Safetensors.of(without));
                }),
                new Spec("tensor in a shard but not listed", A, "not listed", (d, i) -> weightMap(i).remove(Q)),
                new Spec("tensor in both shards", B, "listed in shard", (d, i) -> {
                    Map<String, Tensor> doubled = new LinkedHashMap<>(second);
                    doubled.put(Q, first.get(Q));
                    ModelFolder.replace(d.resolve(B), Safetensors.of(doubled));
                }),
                new Spec("no weight_map", INDEX, "weight_map", (d, i) -> i.remove("weight_map")),
                new Spec("index not JSON", INDEX, "malformed JSON", (d, i) -> i.put("__raw__", "{\"weight_map\": {")),
                new Spec("index nested a million deep", INDEX, "nesting depth", (d, i) -> i.put("__raw__", ModelFolder.nested(1_000_000, "{\"a\":", "}"))));
        for (Spec s : specs) {
            cases.add(DynamicTest.dynamicTest(s.name(), () -> {
                Path dir = models.copy(s.name());
                Files.delete(dir.resolve(WEIGHTS));
                Files.write(dir.resolve(A), shardA);
                Files.write(dir.resolve(B), shardB);
                ObjectNode index = goodIndex.deepCopy();
                s.setup().apply(dir, index);
                String text = index.has("__raw__") ? index.get("__raw__").asText() : index.toString();
                Files.writeString(dir.resolve(INDEX), text);
                Path out = dir.resolveSibling(dir.getFileName() + ".gguf");
                new Refusal(s.name(), dir.resolve(s.blamed()), s.fragment(), out, "convert", dir.toString(), "-o", out.toString()).check();
            }));
        }
        return cases.stream();
    }

    private static ObjectNode weightMap(ObjectNode index) {
        return (ObjectNode) index.get("weight_map");
    }

    private static void mkfifo(Path p) throws IOException {
        try {
            assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor(), "mkfifo " + p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
