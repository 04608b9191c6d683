package axc.formats.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16-bit floats (IEEE half and bfloat16) to float32 in vector lanes: the decode every F16 and BF16
 * checkpoint goes through before it is quantized or converted, and which element by element was the
 * largest part of quantizing an F16 model. Bit for bit what {@link Float#float16ToFloat} gives, for
 * every input: normals and subnormals through a rescale of the exponent, infinities and NaNs (payload
 * kept, made quiet) through blends.
 */
final class HalfDecoder {
    private HalfDecoder() {
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, jdk.incubator.vector.VectorShape.forBitSize(Math.max(64, F.length() * 16)));
    /** 2^112: moves an f16 exponent placed in a float's exponent field to the float bias. */
    private static final float REBIAS = 0x1p112f;

    /** {@code h[0, n)} (IEEE half bits) into {@code dst[off, off + n)}. */
    static void f16(short[] h, int n, float[] dst, int off) {
        int l = F.length();
        int i = 0;
        if (F.length() == I.length() && S.length() == l) {
            for (; i + l <= n; i += l) {
                IntVector v = (IntVector) ShortVector.fromArray(S, h, i).convertShape(VectorOperators.S2I, I, 0);
                IntVector sign = v.and(0x8000).lanewise(VectorOperators.LSHL, 16);
                IntVector magnitude = v.and(0x7FFF);
                FloatVector f = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(REBIAS);
                // Exponent 31 (infinity, NaN): float exponent all ones, the mantissa (NaN payload) kept,
                // NaNs made quiet as the JDK's (and the CPU's) conversion makes them.
                VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
                VectorMask<Integer> nan = magnitude.compare(VectorOperators.GT, 0x7C00);
                IntVector bits = f.reinterpretAsInts().blend(magnitude.lanewise(VectorOperators.LSHL, 13).or(0x7F800000), special);
                bits = bits.blend(bits.or(0x00400000), nan);
                bits.or(sign).reinterpretAsFloats().intoArray(dst, off + i);
            }
        }
        for (; i < n; i++) dst[off + i] = Float.float16ToFloat(h[i]);
    }

    /** {@code h[0, n)} (bfloat16 bits) into {@code dst[off, off + n)}: each is the high half of a float. */
    static void bf16(short[] h, int n, float[] dst, int off) {
        int l = F.length();
        int i = 0;
        if (F.length() == I.length() && S.length() == l) {
            for (; i + l <= n; i += l) {
                IntVector v = (IntVector) ShortVector.fromArray(S, h, i).convertShape(VectorOperators.S2I, I, 0);
                v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
            }
        }
        for (; i < n; i++) dst[off + i] = Float.intBitsToFloat((h[i] & 0xFFFF) << 16);
    }
}
