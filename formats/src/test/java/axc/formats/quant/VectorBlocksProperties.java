package axc.formats.quant;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized Q8_0/Q4_0/Q5_0 quantizers write exactly the bytes of the scalar reference ones. */
class VectorBlocksProperties {
    /**
     * The bulk path runs at the preferred width; surefire runs this class a second time with
     * {@code -XX:MaxVectorSize=32}, so AVX-512 machines test 256 bits too.
     */
    @Example
    void theBulkPathRunsAtEveryWidthThatSplitsABlock() {
        int lanes = VectorBlocks.species().length();
        String bits = System.getProperty("axc.test.vector.bits");
        if (bits != null) assertEquals(Integer.parseInt(bits), VectorBlocks.species().vectorBitSize(), "the run meant for this width");
        assertEquals(lanes >= 8 && 32 % lanes == 0, VectorBlocks.USABLE, lanes + " lanes");
    }

    @Property(tries = 100)
    void rowErrorsAgreeWithTheDequantizedRow(@ForAll @IntRange(min = 1, max = 40) int blocks, @ForAll long seed) {
        float[] x = new float[blocks * 32];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (i % 97 == 0 ? 30 : 1);
        for (var t : new axc.formats.dtype.DType[]{axc.formats.dtype.DType.Q8_0, axc.formats.dtype.DType.Q4_0}) {
            byte[] q = Quantizer.quantize(t, x, 0, x.length);
            float[] back = new float[x.length];
            Dequantizer.dequantize(t, MemorySegment.ofArray(q), 0, back, 0, x.length);
            double e = 0, s = 0;
            for (int i = 0; i < x.length; i++) {
                e += (double) (back[i] - x[i]) * (back[i] - x[i]);
                s += (double) x[i] * x[i];
            }
            double[] got = new double[2];
            assertEquals(VectorBlocks.USABLE, Quantizer.rowError(t, q, 0, x, 0, x.length, got));
            if (!VectorBlocks.USABLE) continue;
            assertEquals(e, got[0], 1e-5 * e + 1e-30, t + " error at " + VectorBlocks.species());
            assertEquals(s, got[1], 1e-5 * s, t + " norm at " + VectorBlocks.species());
        }
    }

    @Property(tries = 100)
    void dequantizedErrorsAgreeWithDoubleSums(@ForAll @IntRange(min = 1, max = 40) int blocks, @ForAll long seed) {
        float[] x = new float[blocks * 32 + 7];
        float[] back = new float[blocks * 32];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (i % 97 == 0 ? 30 : 1);
        for (int i = 0; i < back.length; i++) back[i] = x[i + 7] + (float) r.nextGaussian() * 0.01f;
        double e = 0, s = 0;
        for (int i = 0; i < back.length; i++) {
            e += (double) (back[i] - x[i + 7]) * (back[i] - x[i + 7]);
            s += (double) x[i + 7] * x[i + 7];
        }
        double[] got = new double[2];
        Quantizer.dequantizedError(back, x, 7, back.length, got);
        assertEquals(e, got[0], 1e-5 * e, "error at " + VectorBlocks.species());
        assertEquals(s, got[1], 1e-5 * s, "norm at " + VectorBlocks.species());
    }

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
        for (var t : new axc.formats.dtype.DType[]{axc.formats.dtype.DType.Q8_0, axc.formats.dtype.DType.Q4_0, axc.formats.dtype.DType.Q5_0}) {
            byte[] scalar = new byte[blocks * t.blockBytes()];
            switch (t) {
                case Q8_0 -> Q8_0.quantize(x, 0, MemorySegment.ofArray(scalar), 0, blocks);
                case Q4_0 -> Q4_0.quantize(x, 0, MemorySegment.ofArray(scalar), 0, blocks);
                default -> Q5_0.quantize(x, 0, MemorySegment.ofArray(scalar), 0, blocks);
            }
            if (!VectorBlocks.USABLE) continue;
            byte[] vector = new byte[scalar.length];
            switch (t) {
                case Q8_0 -> VectorBlocks.q8_0(x, 0, vector, 0, blocks);
                case Q4_0 -> VectorBlocks.q4_0(x, 0, vector, 0, blocks);
                default -> VectorBlocks.q5_0(x, 0, vector, 0, blocks);
            }
            assertArrayEquals(scalar, vector, t.name() + " at " + VectorBlocks.species());
        }
    }
}
