package axc.formats.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the Q8_0, Q4_0 and Q5_0 reference quantizers, for bulk quantization. They produce
 * the same bytes as {@link Q8_0#quantize}, {@link Q4_0#quantize} and {@link Q5_0#quantize} (tests compare them on random and
 * adversarial rows, at the preferred width and at 256 bits): every step is the same float32 operation,
 * and C's {@code roundf} is done as {@code trunc(|x| + 0.5f)}, which is exact for |x| >= 0.5 and is
 * fixed to 0 below (where the float sum could round up to 1). Every step stays in vector lanes, codes
 * included: a scalar tail per block used to cost as much as the rest.
 *
 * <p>The species are static constants, the machine's preferred width: held in instance fields (even a
 * record's) the JIT stopped compiling the lane conversions and the kernels ran 30× slower. A second
 * surefire run with {@code -XX:MaxVectorSize=32} tests the 256-bit width.
 */
final class VectorBlocks {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Lanes do not divide a block, or bytes of that many lanes have no shape: the scalar code runs. */
    static final boolean USABLE = F.length() >= 8 && 32 % F.length() == 0 && I.length() == F.length();
    private static final VectorSpecies<Byte> B = USABLE ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

    private VectorBlocks() {
    }

    /** The float width the kernels run at here. */
    static VectorSpecies<Float> species() {
        return F;
    }

    /** Q8_0: {f16 d; int8 q[32]} per block of 32. */
    static void q8_0(float[] src, int srcOff, byte[] dst, int off, int nBlocks) {
        int vl = F.length();
        for (int blk = 0; blk < nBlocks; blk++, off += Q8_0.BYTES, srcOff += 32) {
            FloatVector m = FloatVector.zero(F);
            for (int j = 0; j < 32; j += vl) m = m.max(FloatVector.fromArray(F, src, srcOff + j).abs());
            float amax = m.reduceLanes(VectorOperators.MAX);
            float id = putScale(amax / 127, dst, off);
            for (int j = 0; j < 32; j += vl) {
                FloatVector x = FloatVector.fromArray(F, src, srcOff + j).mul(id);
                ((ByteVector) roundAway(x).castShape(B, 0)).intoArray(dst, off + 2 + j);
            }
        }
    }

    /** Q4_0: {f16 d; u8 qs[16]} per block of 32; element j in the low nibble of byte j, j+16 in the high. */
    static void q4_0(float[] src, int srcOff, byte[] dst, int off, int nBlocks) {
        int vl = F.length();
        for (int blk = 0; blk < nBlocks; blk++, off += Q4_0.BYTES, srcOff += 32) {
            float id = putScale(signedMax(src, srcOff) / -8, dst, off);
            for (int j = 0; j < 16; j += vl) {
                IntVector lo = nibble(FloatVector.fromArray(F, src, srcOff + j), id);
                IntVector hi = nibble(FloatVector.fromArray(F, src, srcOff + 16 + j), id);
                ((ByteVector) lo.or(hi.lanewise(VectorOperators.LSHL, 4)).castShape(B, 0)).intoArray(dst, off + 2 + j);
            }
        }
    }

    /**
     * Q5_0: {f16 d; u32 qh; u8 qs[16]} per block of 32: d = max / -16, q = min(31, (int) (x / d + 16.5f));
     * the low four bits as Q4_0's nibbles, the fifth bit of element j in bit j of qh.
     */
    static void q5_0(float[] src, int srcOff, byte[] dst, int off, int nBlocks) {
        int vl = F.length();
        for (int blk = 0; blk < nBlocks; blk++, off += Q5_0.BYTES, srcOff += 32) {
            float id = putScale(signedMax(src, srcOff) / -16, dst, off);
            long qh = 0;
            for (int j = 0; j < 16; j += vl) {
                IntVector lo = fiveBits(FloatVector.fromArray(F, src, srcOff + j), id);
                IntVector hi = fiveBits(FloatVector.fromArray(F, src, srcOff + 16 + j), id);
                qh |= lo.compare(VectorOperators.GE, 16).toLong() << j;
                qh |= hi.compare(VectorOperators.GE, 16).toLong() << (16 + j);
                ((ByteVector) lo.and(15).or(hi.and(15).lanewise(VectorOperators.LSHL, 4)).castShape(B, 0)).intoArray(dst, off + 6 + j);
            }
            for (int k = 0; k < 4; k++) dst[off + 2 + k] = (byte) (qh >>> (8 * k));
        }
    }

    /** Writes scale {@code d} as f16 at {@code dst[off]} and returns the inverse the codes are made with (0 for 0). */
    private static float putScale(float d, byte[] dst, int off) {
        short h = Float.floatToFloat16(d);
        dst[off] = (byte) h;
        dst[off + 1] = (byte) (h >> 8);
        return d != 0 ? 1.0f / d : 0.0f;
    }

    /** A block's signed value of largest magnitude, the first one on ties, as the scalar loops find it. */
    private static float signedMax(float[] src, int srcOff) {
        int vl = F.length();
        FloatVector m = FloatVector.zero(F);
        for (int j = 0; j < 32; j += vl) m = m.max(FloatVector.fromArray(F, src, srcOff + j).abs());
        float amax = m.reduceLanes(VectorOperators.MAX);
        if (amax > 0) {
            for (int j = 0; j < 32; j += vl) {
                int at = FloatVector.fromArray(F, src, srcOff + j).abs().compare(VectorOperators.EQ, amax).firstTrue();
                if (at < vl) return src[srcOff + j + at];
            }
        }
        return 0;
    }

    /**
     * Squared error and squared norm of a Q8_0 row against the floats it was made from, read straight
     * from its bytes. Lanes accumulate in float over the row and are summed in double at the end: a
     * report figure, identical for any thread count since a row is one task.
     */
    static void q8_0Error(byte[] q, int off, float[] x, int xOff, int n, double[] out) {
        int vl = F.length();
        FloatVector e = FloatVector.zero(F);
        FloatVector s = FloatVector.zero(F);
        for (int k = 0; k < n; k += 32, off += Q8_0.BYTES) {
            float d = Float.float16ToFloat((short) ((q[off] & 0xFF) | (q[off + 1] << 8)));
            for (int j = 0; j < 32; j += vl) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + k + j);
                FloatVector back = ((FloatVector) ByteVector.fromArray(B, q, off + 2 + j).castShape(F, 0)).mul(d);
                FloatVector diff = back.sub(v);
                e = diff.fma(diff, e);
                s = v.fma(v, s);
            }
        }
        out[0] = sum(e);
        out[1] = sum(s);
    }

    /** The same for a Q4_0 row: value = d * (nibble - 8), low nibbles first. */
    static void q4_0Error(byte[] q, int off, float[] x, int xOff, int n, double[] out) {
        int vl = F.length();
        FloatVector e = FloatVector.zero(F);
        FloatVector s = FloatVector.zero(F);
        for (int k = 0; k < n; k += 32, off += Q4_0.BYTES) {
            float d = Float.float16ToFloat((short) ((q[off] & 0xFF) | (q[off + 1] << 8)));
            for (int j = 0; j < 16; j += vl) {
                IntVector packed = (IntVector) ByteVector.fromArray(B, q, off + 2 + j).castShape(I, 0);
                packed = packed.and(0xFF);
                FloatVector lo = ((FloatVector) packed.and(15).sub(8).castShape(F, 0)).mul(d);
                FloatVector hi = ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).sub(8).castShape(F, 0)).mul(d);
                FloatVector xl = FloatVector.fromArray(F, x, xOff + k + j);
                FloatVector xh = FloatVector.fromArray(F, x, xOff + k + 16 + j);
                FloatVector dl = lo.sub(xl);
                FloatVector dh = hi.sub(xh);
                e = dh.fma(dh, dl.fma(dl, e));
                s = xh.fma(xh, xl.fma(xl, s));
            }
        }
        out[0] = sum(e);
        out[1] = sum(s);
    }

    /** The same for a row already read back to floats ({@code back[0..n)}), element by element in row order. */
    static void floatError(float[] back, float[] x, int xOff, int n, double[] out) {
        int vl = F.length();
        FloatVector e = FloatVector.zero(F);
        FloatVector s = FloatVector.zero(F);
        for (int k = 0; k < n; k += vl) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + k);
            FloatVector diff = FloatVector.fromArray(F, back, k).sub(v);
            e = diff.fma(diff, e);
            s = v.fma(v, s);
        }
        out[0] = sum(e);
        out[1] = sum(s);
    }

    private static double sum(FloatVector v) {
        double t = 0;
        for (int k = 0; k < v.length(); k++) t += v.lane(k);
        return t;
    }

    /** C's roundf of every lane, as ints: half away from zero. */
    private static IntVector roundAway(FloatVector x) {
        // Masks stay on float lanes; the one conversion to int truncates toward zero, sign included.
        FloatVector a = x.abs();
        FloatVector r = a.add(0.5f).blend(0f, a.compare(VectorOperators.LT, 0.5f));
        return (IntVector) r.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f)).convert(VectorOperators.F2I, 0);
    }

    /** One Q4_0 code: min(15, (int8) (x * id + 8.5f)), the conversion truncating as C's does. */
    private static IntVector nibble(FloatVector x, float id) {
        return ((IntVector) x.mul(id).add(8.5f).convert(VectorOperators.F2I, 0)).min(15);
    }

    /** Q5_0's code of every lane: min(31, (int) (x * id + 16.5f)), Java's cast as the scalar code's. */
    private static IntVector fiveBits(FloatVector x, float id) {
        return ((IntVector) x.mul(id).add(16.5f).convert(VectorOperators.F2I, 0)).min(31);
    }
}
