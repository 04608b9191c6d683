package axc.cli.malformed;

import axc.cli.malformed.ModelFolder.Safetensors;
import axc.cli.malformed.ModelFolder.Tensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static axc.cli.malformed.ModelFolder.WEIGHTS;

/** {@code model.safetensors} made wrong in every way the safetensors reader must catch, fed to {@code axc convert}. */
class SafetensorsMalformedTest {
    private static final String Q = "model.layers.0.self_attn.q_proj.weight";
    private static final String NORM = "model.layers.0.input_layernorm.weight";
    /** The tensor whose data comes last in the file. */
    private static final String LAST = "model.norm.weight";

    @TestFactory
    Stream<DynamicTest> everyMalformedWeightsFileIsRefused(@TempDir Path tmp) {
        ModelFolder models = new ModelFolder(tmp);
        Safetensors good = Safetensors.read(models.original().resolve(WEIGHTS));
        byte[] file = ModelFolder.read(models.original().resolve(WEIGHTS));
        List<DynamicTest> cases = new ArrayList<>();
        // Shapes the config contradicts are found where config and weights meet: the error names the model folder.
        Case c = (name, fragment, bytes) -> cases.add(DynamicTest.dynamicTest(name, () -> {
            Path dir = models.copy(name);
            ModelFolder.replace(dir.resolve(WEIGHTS), bytes.apply(good));
            boolean byConfig = fragment.equals("config implies") || fragment.equals("is missing");
            new Refusal(name, byConfig ? dir : dir.resolve(WEIGHTS), fragment, dir.resolveSibling(dir.getFileName() + ".gguf"),
                    "convert", dir.toString(), "-o", dir.resolveSibling(dir.getFileName() + ".gguf").toString()).check();
        }));

        c.add("empty file", "truncated", s -> new byte[0]);
        c.add("truncated in the data", "past the end", s -> Arrays.copyOf(file, file.length / 2));
        c.add("truncated in the header", "past the end", s -> Arrays.copyOf(file, 8 + 100));
        c.add("header length 2^62", "out of bounds", s -> Safetensors.bytes(s.header().toString(), 1L << 62, s.data()));
        c.add("header length negative", "out of bounds", s -> Safetensors.bytes(s.header().toString(), -8, s.data()));
        c.add("header not JSON", "malformed JSON", s -> Safetensors.bytes("{\"a\": [1, 2", s.data()));
        c.add("header a JSON array", "not a JSON object", s -> Safetensors.bytes("[1, 2, 3]", s.data()));
        c.add("header nested a million deep", "nesting depth", s -> Safetensors.bytes(ModelFolder.nested(1_000_000, "[", "]"), s.data()));
        c.add("duplicate tensor names", "duplicate", s -> {
            String h = s.header().toString();
            String entry = "\"" + NORM + "\":" + s.tensor(NORM);
            return Safetensors.bytes(h.replace(entry, entry + "," + entry), s.data());
        });
        c.add("offsets past the end of the data", "runs past the end", s -> edit(s, LAST, t -> t.putArray("data_offsets").add(s.data().length).add(s.data().length + 512)));
        c.add("offsets overlapping", "overlaps", s -> edit(s, LAST, t -> {
            long begin = t.get("data_offsets").get(0).asLong() - 256;
            t.putArray("data_offsets").add(begin).add(begin + 512);
        }));
        c.add("a gap before the last tensor", "gap", s -> {
            ObjectNode h = s.header().deepCopy();
            ObjectNode t = (ObjectNode) h.get(LAST);
            long begin = t.get("data_offsets").get(0).asLong() + 64;
            t.putArray("data_offsets").add(begin).add(begin + 512);
            return Safetensors.bytes(h.toString(), Arrays.copyOf(s.data(), s.data().length + 64));
        });
        c.add("data after the last tensor", "holds", s -> Safetensors.bytes(s.header().toString(), Arrays.copyOf(s.data(), s.data().length + 64)));
        c.add("offsets reversed", "before begin", s -> edit(s, LAST, t -> {
            var o = t.get("data_offsets");
            t.putArray("data_offsets").add(o.get(1).asLong()).add(o.get(0).asLong());
        }));
        c.add("offsets negative", "non-negative", s -> edit(s, LAST, t -> t.putArray("data_offsets").add(-512).add(0)));
        c.add("shape product overflows 64 bits", "overflows 64 bits", s -> edit(s, Q, t -> t.putArray("shape").add(1L << 32).add(1L << 32).add(1L << 32)));
        c.add("negative dimension", "non-negative", s -> edit(s, Q, t -> t.putArray("shape").add(-256).add(-256)));
        c.add("fractional dimension", "non-negative integer", s -> edit(s, Q, t -> t.putArray("shape").add(256.5).add(256)));
        c.add("shape and bytes disagree", "needs", s -> edit(s, Q, t -> t.putArray("shape").add(256).add(512)));
        c.add("unknown dtype", "unknown dtype", s -> edit(s, Q, t -> t.put("dtype", "F12")));
        c.add("dtype not a string", "dtype", s -> edit(s, Q, t -> t.put("dtype", 7)));
        c.add("metadata not strings", "is not a string", s -> {
            ObjectNode h = s.header().deepCopy();
            ((ObjectNode) h.get("__metadata__")).putArray("format").add(1);
            return Safetensors.bytes(h.toString(), s.data());
        });
        c.add("shape contradicts the config", "config implies", s -> rebuild(s, m -> m.put(Q, m.get(Q).withShape(128, 512))));
        c.add("zero dimension contradicts the config", "config implies", s -> rebuild(s, m -> m.put(NORM, new Tensor("BF16", new long[]{0}, new byte[0]))));
        c.add("a layer's weight missing", "is missing", s -> rebuild(s, m -> m.remove(Q)));
        return cases.stream();
    }

    @FunctionalInterface
    private interface Case {
        void add(String name, String fragment, Function<Safetensors, byte[]> bytes);
    }

    /** The file with one tensor's header entry changed and the data as it was. */
    private static byte[] edit(Safetensors s, String tensor, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode h = s.header().deepCopy();
        change.accept((ObjectNode) h.get(tensor));
        return Safetensors.bytes(h.toString(), s.data());
    }

    /** A well-formed file whose tensors were changed by {@code change}. */
    private static byte[] rebuild(Safetensors s, java.util.function.Consumer<LinkedHashMap<String, Tensor>> change) {
        LinkedHashMap<String, Tensor> m = s.tensors();
        change.accept(m);
        return Safetensors.of(m);
    }
}
