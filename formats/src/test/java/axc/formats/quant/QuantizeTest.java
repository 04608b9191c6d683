package axc.formats.quant;

import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantizing tiny-f32.gguf reproduces llama-quantize's output for the same file: every tensor that
 * llama.cpp stored as the target type comes out byte for byte the same, and so never with more error.
 */
class QuantizeTest {
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void matchesLlamaQuantize(DType type) {
        int tensors = 0;
        try (GgufFile f32 = GgufFile.open(Fixtures.gguf("tiny-f32.gguf"));
             GgufFile ref = GgufFile.open(Fixtures.gguf("tiny-" + type + ".gguf"))) {
            for (GgufTensorInfo t : ref.ggufTensors()) {
                if (t.dtype() != type) continue;
                tensors++;
                float[] x = Dequantizer.tensor(f32, t.name());
                byte[] ours = Quantizer.quantize(type, x, 0, x.length);
                byte[] theirs = ref.data(t.name()).toArray(ValueLayout.JAVA_BYTE);
                double ourErr = Fixtures.sumSquaredError(x, Dequantizer.dequantize(type, MemorySegment.ofArray(ours), x.length));
                double theirErr = Fixtures.sumSquaredError(x, Dequantizer.tensor(ref, t.name()));
                int diffBlocks = 0;
                int bb = type.blockBytes();
                for (int b = 0; b < ours.length / bb; b++) {
                    if (!java.util.Arrays.equals(ours, b * bb, (b + 1) * bb, theirs, b * bb, (b + 1) * bb)) diffBlocks++;
                }
                assertTrue(ourErr <= theirErr, t.name() + ": error " + ourErr + " above llama.cpp's " + theirErr);
                assertEquals(0, diffBlocks, t.name() + ": blocks differ from llama.cpp's");
            }
        }
        assertTrue(tensors > 0);
    }
}
