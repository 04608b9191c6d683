package axc.formats.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the Q8_0 and Q4_0 reference quantizers, for bulk quantization. They produce
 * the same bytes as {@link Q8_0#quantize} and {@link Q4_0#quantize} (tests compare them on random and
 * adversarial rows): every step is the same float32 operation, and C's {@code roundf} is done as
 * {@code trunc(|x| + 0.5f)}, which is exact for |x| >= 0.5 and is fixed to 0 below (where the float sum
 * could round up to 1). Works with any vector width that divides 32.
 */
final class VectorBlocks {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final boolean USABLE = 32 % F.length() == 0 && F.length() == I.length() && F.length() >= 4;

    private VectorBlocks() {
    }

    /** Q8_0: {f16 d; int8 q[32]} per block of 32. */
    static void q8_0(float[] src, int srcOff, byte[] dst, int off, int nBlocks) {
        int vl = F.length();
        int[] q = new int[32];
        float[] x = new float[32];
        for (int b = 0; b < nBlocks; b++, off += Q8_0.BYTES, srcOff += 32) {
            FloatVector m = FloatVector.zero(F);
            for (int j = 0; j < 32; j += vl) m = m.max(FloatVector.fromArray(F, src, srcOff + j).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            short h = Float.floatToFloat16(d);
            dst[off] = (byte) h;
            dst[off + 1] = (byte) (h >> 8);
            for (int j = 0; j < 32; j += vl) {
                FloatVector v = FloatVector.fromArray(F, src, srcOff + j).mul(id);
                v.intoArray(x, j);
                ((IntVector) v.abs().add(0.5f).convert(VectorOperators.F2I, 0)).intoArray(q, j);
            }
            for (int j = 0; j < 32; j++) {
                // Below 0.5 the rounded value is 0, even where the float sum rounded up to 1.
                int a = Math.abs(x[j]) < 0.5f ? 0 : q[j];
                dst[off + 2 + j] = (byte) (x[j] < 0 ? -a : a);
            }
        }
    }

    /** Q4_0: {f16 d; u8 qs[16]} per block of 32; element j in the low nibble of byte j, j+16 in the high. */
    static void q4_0(float[] src, int srcOff, byte[] dst, int off, int nBlocks) {
        int vl = F.length();
        int[] q = new int[32];
        for (int b = 0; b < nBlocks; b++, off += Q4_0.BYTES, srcOff += 32) {
            // The signed value of largest magnitude, the first one on ties, as the scalar loop finds it.
            FloatVector m = FloatVector.zero(F);
            for (int j = 0; j < 32; j += vl) m = m.max(FloatVector.fromArray(F, src, srcOff + j).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            float max = 0;
            if (amax > 0) {
                int j = 0;
                while (Math.abs(src[srcOff + j]) != amax) j++;
                max = src[srcOff + j];
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            short h = Float.floatToFloat16(d);
            dst[off] = (byte) h;
            dst[off + 1] = (byte) (h >> 8);
            for (int j = 0; j < 32; j += vl) {
                FloatVector x = FloatVector.fromArray(F, src, srcOff + j).mul(id).add(8.5f);
                ((IntVector) x.convert(VectorOperators.F2I, 0)).min(15).intoArray(q, j);
            }
            for (int j = 0; j < 16; j++) dst[off + 2 + j] = (byte) (q[j] | (q[j + 16] << 4));
        }
    }
}
