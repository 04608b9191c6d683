package axc.quant.gguf;

import axc.errors.InvalidInputException;
import axc.formats.gguf.GgufFile;
import axc.formats.tensor.NonFiniteScan;
import axc.formats.tensor.TensorStore;
import axc.progress.Progress;
import axc.quant.recipe.Presets;
import axc.target.cpu.NativeRowQuantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The NaN and infinity counts the quantizer takes during its pass are the ones a separate scan of the
 * input finds, on each way a tensor goes through it: native rows with and without the error sums
 * that flag a chunk, the Java kernels, and a tensor copied as it is stored. A handler that refuses
 * leaves nothing behind.
 */
class NonFiniteDuringQuantizeTest {
    private static final String MATRIX = "blk.0.ffn_down.weight", NORM = "blk.0.attn_norm.weight";

    @ParameterizedTest
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void countsDuringThePassAreTheScans(boolean nativeRows, boolean measureError, @TempDir Path tmp) throws IOException {
        Path in = planted(tmp);
        Map<String, NonFiniteScan.Finding> want = new TreeMap<>();
        try (GgufFile g = GgufFile.open(in)) {
            for (NonFiniteScan.Finding f : NonFiniteScan.scan(g)) want.put(f.tensor(), f);
        }
        assertEquals(List.of(NORM, MATRIX).stream().sorted().toList(), List.copyOf(want.keySet()), "the planted tensors");

        Map<String, NonFiniteScan.Finding> got = new TreeMap<>();
        try (QuantSource src = QuantSource.open(in)) {
            GgufQuantizer.quantize(src, tmp.resolve("out.gguf"), Presets.find("q4_0").orElseThrow(), false, measureError, Progress.SILENT,
                    f -> assertEquals(null, got.put(f.tensor(), f), "each tensor once"), nativeRows ? new NativeRowQuantizer() : null);
        }
        assertEquals(want, got);
    }

    @Test
    void aRefusalLeavesNoOutput(@TempDir Path tmp) throws IOException {
        Path in = planted(tmp), out = tmp.resolve("out.gguf");
        try (QuantSource src = QuantSource.open(in)) {
            assertThrows(InvalidInputException.class, () -> GgufQuantizer.quantize(src, out, Presets.find("q4_0").orElseThrow(), false, true,
                    Progress.SILENT, f -> {
                        throw new InvalidInputException("refused " + f.tensor());
                    }));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(in), left.toList(), "no output and no partial file");
        }
    }

    /** The tiny F32 GGUF with NaN and infinities planted at the edges and inside a matrix that is quantized and a norm that is copied. */
    private static Path planted(Path tmp) throws IOException {
        Path in = tmp.resolve("bad.gguf");
        Files.copy(LlamaQuantizeIdentityTest.fixture("tiny-f32.gguf"), in);
        List<long[]> plants = new ArrayList<>(); // file offset, float bits
        try (GgufFile g = GgufFile.open(in)) {
            TensorStore.FileRegion m = g.region(MATRIX).orElseThrow(), n = g.region(NORM).orElseThrow();
            long last = m.offset() + m.length() - 4;
            plants.add(new long[]{m.offset(), Float.floatToRawIntBits(Float.NaN)});
            plants.add(new long[]{m.offset() + 4 * 300, Float.floatToRawIntBits(Float.POSITIVE_INFINITY)});
            plants.add(new long[]{last, Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)});
            plants.add(new long[]{n.offset() + 4 * 3, 0x7F800001}); // a signalling NaN
        }
        try (RandomAccessFile f = new RandomAccessFile(in.toFile(), "rw")) {
            for (long[] p : plants) {
                f.seek(p[0]);
                f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) p[1]).array());
            }
        }
        return in;
    }
}
