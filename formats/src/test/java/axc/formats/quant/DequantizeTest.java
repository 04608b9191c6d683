package axc.formats.quant;

import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every tensor of every llama.cpp fixture dequantizes to llama.cpp's values, bit for bit. */
class DequantizeTest {
    @TestFactory
    List<DynamicTest> matchesLlamaCppBitForBit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> file : Fixtures.expected().properties()) {
            for (Map.Entry<String, JsonNode> tensor : file.getValue().properties()) {
                String label = file.getKey() + " " + tensor.getKey() + " (" + tensor.getValue().get("type").asText() + ")";
                tests.add(DynamicTest.dynamicTest(label, () -> check(file.getKey(), tensor.getKey(), tensor.getValue())));
            }
        }
        return tests;
    }

    private static void check(String file, String name, JsonNode want) {
        try (GgufFile f = GgufFile.open(Fixtures.gguf(file))) {
            assertEquals(want.get("type").asText(), f.ggufTensor(name).dtype().name());
            float[] got = Dequantizer.tensor(f, name);
            assertEquals(want.get("n").asLong(), got.length);
            float[] first = new float[16];
            for (int i = 0; i < 16; i++) first[i] = (float) want.get("first16").get(i).asDouble();
            assertArrayEquals(first, java.util.Arrays.copyOf(got, 16));
            assertEquals(want.get("sha256_f32le").asText(), Fixtures.sha256(got));
        }
    }

    /** Dequantizing a row range equals the same slice of the whole tensor. */
    @Test
    void rowRangesAreSlicesOfTheWhole() {
        for (String type : List.of("Q4_K", "Q6_K", "Q5_0", "Q8_0")) {
            try (GgufFile f = GgufFile.open(Fixtures.gguf("tiny-" + type + ".gguf"))) {
                String name = "blk.0.ffn_down.weight";
                long rowLen = f.ggufTensor(name).ne()[0];
                float[] whole = Dequantizer.tensor(f, name);
                float[] part = new float[(int) (3 * rowLen)];
                Dequantizer.dequantizeRows(DType.valueOf(type), f.data(name), rowLen, 5, 3, part, 0);
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, (int) (5 * rowLen), (int) (8 * rowLen)), part);
            }
        }
    }

    @Test
    void f16AndBf16AreExactWidenings() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(2 * 65536);
            for (int i = 0; i < 65536; i++) s.set(BlockIo.LE_SHORT, 2L * i, (short) i);
            // Repeated, so that the JIT-compiled (vectorized) loops are checked, not only the interpreter.
            for (int round = 0; round < 200; round++) {
                float[] h = Dequantizer.dequantize(DType.F16, s, 65536);
                float[] b = Dequantizer.dequantize(DType.BF16, s, 65536);
                for (int i = 0; i < 65536; i++) {
                    if (Float.floatToRawIntBits(Float.float16ToFloat((short) i)) != Float.floatToRawIntBits(h[i])) {
                        assertEquals(Float.floatToRawIntBits(Float.float16ToFloat((short) i)), Float.floatToRawIntBits(h[i]), "half 0x" + Integer.toHexString(i) + ", round " + round);
                    }
                    if ((i << 16) != Float.floatToRawIntBits(b[i])) assertEquals(i << 16, Float.floatToRawIntBits(b[i]), "bf16 0x" + Integer.toHexString(i));
                }
            }
        }
    }
}
