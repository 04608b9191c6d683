package axc.formats.quant;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The vectorized Q8_0/Q4_0 quantizers write exactly the bytes of the scalar reference ones. */
class VectorBlocksProperties {
    @Property(tries = 300)
    void vectorQuantizersMatchTheScalarReference(@ForAll @IntRange(min = 1, max = 8) int blocks, @ForAll long seed,
                                                 @ForAll @IntRange(min = -20, max = 10) int exponent) {
        float scale = (float) Math.pow(2, exponent) * 1.37f;
        float[] x = new float[blocks * 32];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (r.nextInt(6)) {
                case 0 -> 0f;
                case 1 -> (float) (r.nextGaussian() * scale);
                case 2 -> scale * (r.nextInt(255) - 127) / 254f; // values landing near .5 after scaling
                case 3 -> -scale;
                default -> (float) (r.nextDouble() * 2 - 1) * scale;
            };
        }
        for (var t : new axc.formats.dtype.DType[]{axc.formats.dtype.DType.Q8_0, axc.formats.dtype.DType.Q4_0}) {
            byte[] scalar = new byte[blocks * t.blockBytes()];
            if (t == axc.formats.dtype.DType.Q8_0) Q8_0.quantize(x, 0, MemorySegment.ofArray(scalar), 0, blocks);
            else Q4_0.quantize(x, 0, MemorySegment.ofArray(scalar), 0, blocks);
            byte[] vector = new byte[scalar.length];
            if (t == axc.formats.dtype.DType.Q8_0) VectorBlocks.q8_0(x, 0, vector, 0, blocks);
            else VectorBlocks.q4_0(x, 0, vector, 0, blocks);
            assertArrayEquals(scalar, vector, t.name());
        }
    }
}
