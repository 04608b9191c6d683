package axc.cli.malformed;

import axc.cli.CliHarness;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufWriter;
import axc.formats.io.SegmentIo;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static axc.cli.malformed.GgufBytes.ARRAY;
import static axc.cli.malformed.GgufBytes.F32;
import static axc.cli.malformed.GgufBytes.UINT32;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GGUF files built field by field, each wrong in one way, fed to {@code axc inspect}; and a real
 * converted model whose metadata the tensors contradict, fed to {@code axc convert}.
 */
class GgufMalformedTest {
    /** Two f32 tensors, {@code a} [4, 2] and {@code b} [8], after the given metadata and tensor infos. */
    private static byte[] file(long tensors, long kvs, UnaryOperator<GgufBytes> kv, UnaryOperator<GgufBytes> infos, int dataBytes) {
        GgufBytes g = new GgufBytes().header(tensors, kvs);
        kv.apply(g);
        infos.apply(g);
        return g.align(32).zeros(dataBytes).toBytes();
    }

    private static final UnaryOperator<GgufBytes> KV = g -> g.kvString("general.architecture", "qwen2").kvU32("general.alignment", 32);
    private static final UnaryOperator<GgufBytes> INFOS = g -> g.tensor("a", F32, 0, 4, 2).tensor("b", F32, 32, 8);

    private static byte[] good() {
        return file(2, 2, KV, INFOS, 64);
    }

    @Test
    void theUnchangedFileIsAccepted(@TempDir Path tmp) throws IOException {
        Path f = Files.write(tmp.resolve("good.gguf"), good());
        CliHarness r = CliHarness.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedGgufIsRefused(@TempDir Path tmp) {
        byte[] good = good();
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("empty file", new Object[]{"", new byte[0]});
        cases.put("truncated in the header", new Object[]{"truncated", Arrays.copyOf(good, 20)});
        cases.put("truncated in the tensor infos", new Object[]{"truncated", Arrays.copyOf(good, good.length - 64 - 40)});
        cases.put("truncated in the data", new Object[]{"past the end", Arrays.copyOf(good, good.length - 16)});
        cases.put("bad magic", new Object[]{"bad magic", with(good, 0, (byte) 'X')});
        cases.put("unknown version", new Object[]{"version 99", with(good, 4, (byte) 99)});
        cases.put("tensor count 2^62", new Object[]{"cannot fit", file(1L << 62, 2, KV, INFOS, 64)});
        cases.put("metadata count 2^62", new Object[]{"cannot fit", file(2, 1L << 62, KV, INFOS, 64)});
        cases.put("key length 2^62", new Object[]{"truncated", file(2, 2, g -> g.u64(1L << 62), INFOS, 64)});
        cases.put("key length negative", new Object[]{"out of range", file(2, 2, g -> g.u64(-5), INFOS, 64)});
        cases.put("string value past the end", new Object[]{"truncated", file(2, 2, g -> g.str("general.architecture").u32(GgufBytes.STRING).u64(1L << 40), INFOS, 64)});
        cases.put("key not UTF-8", new Object[]{"UTF-8", file(2, 2, g -> g.u64(2).bytes(new byte[]{(byte) 0xC3, 0x28}).u32(UINT32).u32(1), INFOS, 64)});
        cases.put("unknown value type", new Object[]{"unknown value type", file(2, 2, g -> g.str("general.x").u32(99).u32(0), INFOS, 64)});
        cases.put("array of 2^40 elements", new Object[]{"cannot fit", file(2, 2, g -> g.str("general.x").u32(ARRAY).u32(UINT32).u64(1L << 40), INFOS, 64)});
        cases.put("arrays nested a million deep", new Object[]{"arrays of arrays", file(2, 2, g -> {
            g.str("general.x");
            for (int i = 0; i < 1_000_000; i++) g.u32(ARRAY).u32(ARRAY).u64(1);
            return g;
        }, INFOS, 64)});
        cases.put("duplicate key", new Object[]{"duplicate metadata key", file(2, 2, g -> g.kvString("general.architecture", "qwen2").kvString("general.architecture", "qwen2"), INFOS, 64)});
        cases.put("alignment not a power of two", new Object[]{"power of two", file(2, 1, g -> g.kvU32("general.alignment", 24), INFOS, 64)});
        cases.put("alignment zero", new Object[]{"power of two", file(2, 1, g -> g.kvU32("general.alignment", 0), INFOS, 64)});
        cases.put("99 dimensions", new Object[]{"dimensions", file(1, 2, KV, g -> g.tensor("a", F32, 0, new long[99]), 64)});
        cases.put("negative dimension", new Object[]{"out of range", file(1, 2, KV, g -> g.tensor("a", F32, 0, -4, 2), 64)});
        cases.put("shape product overflows 64 bits", new Object[]{"overflows 64 bits", file(1, 2, KV, g -> g.tensor("a", F32, 0, 1L << 32, 1L << 32, 1L << 32), 64)});
        cases.put("unknown tensor type", new Object[]{"unknown or unsupported ggml type", file(1, 2, KV, g -> g.tensor("a", 99, 0, 4, 2), 64)});
        cases.put("row not whole blocks", new Object[]{"block", file(1, 2, KV, g -> g.tensor("a", 8, 0, 30, 2), 64)});
        cases.put("offset past the end", new Object[]{"past the end", file(2, 2, KV, g -> g.tensor("a", F32, 0, 4, 2).tensor("b", F32, 1L << 40, 8), 64)});
        cases.put("offset negative", new Object[]{"out of range", file(2, 2, KV, g -> g.tensor("a", F32, 0, 4, 2).tensor("b", F32, -32, 8), 64)});
        cases.put("tensors overlapping", new Object[]{"overlaps", file(2, 2, KV, g -> g.tensor("a", F32, 0, 4, 2).tensor("b", F32, 0, 8), 64)});
        cases.put("offset not aligned", new Object[]{"not aligned", file(2, 2, KV, g -> g.tensor("a", F32, 0, 4, 2).tensor("b", F32, 36, 8), 64)});
        cases.put("duplicate tensor names", new Object[]{"duplicate tensor name", file(2, 2, KV, g -> g.tensor("a", F32, 0, 4, 2).tensor("a", F32, 32, 8), 64)});
        return cases.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Path f = Files.write(tmp.resolve(e.getKey().replaceAll("[^A-Za-z0-9]+", "-") + ".gguf"), (byte[]) e.getValue()[1]);
            new Refusal(e.getKey(), f, (String) e.getValue()[0], null, "inspect", f.toString()).check();
        }));
    }

    @Test
    void metadataTheTensorsContradictIsRefused(@TempDir Path tmp) throws IOException {
        Path model = axc.examples.ExampleModels.extractTinyPy(tmp.resolve("model"));
        Path gguf = tmp.resolve("model.gguf");
        assertEquals(0, CliHarness.run("-q", "convert", model.toString(), "-o", gguf.toString()).code());
        Path bad = tmp.resolve("wider.gguf");
        try (GgufFile f = GgufFile.open(gguf)) {
            Map<String, GgufValue> meta = new LinkedHashMap<>(f.metadata());
            meta.put("qwen2.embedding_length", GgufValue.u32(512));
            List<GgufWriter.Entry> entries = new ArrayList<>();
            for (GgufTensorInfo t : f.ggufTensors()) {
                entries.add(new GgufWriter.Entry(t.name(), t.dtype(), t.ne(), ch -> SegmentIo.write(ch, f.data(t.name()))));
            }
            GgufWriter.write(bad, meta, entries);
        }
        Path out = tmp.resolve("back");
        new Refusal("embedding_length the tensors contradict", bad, "config implies", out, "convert", bad.toString(), "-o", out.toString()).check();
    }

    private static byte[] with(byte[] b, int at, byte v) {
        byte[] c = b.clone();
        c[at] = v;
        return c;
    }
}
