package axc.target.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dot products of one stored weight row with one float32 activation row, in float32 vector lanes
 * (fused multiply-add, lanes summed at the end). Weights are read in place from their stored bytes:
 * F32, BF16 and F16 element by element, Q8_0 and Q4_0 block by block (f16 scale, then 32 codes).
 * Nothing is allocated. The width is {@link Lanes}'s.
 */
public final class VectorKernels {
    private VectorKernels() {
    }

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    /** 2^112: moves an f16 exponent placed in a float's exponent field to the float bias. */
    private static final float F16_REBIAS = 0x1p112f;

    /** Row of {@code cols} F32 weights at byte {@code off} times {@code x[xOff, xOff+cols)}. */
    public static float dotF32(MemorySegment w, long off, float[] x, int xOff, int cols) {
        int l = Lanes.LENGTH;
        FloatVector a0 = FloatVector.zero(Lanes.F);
        FloatVector a1 = FloatVector.zero(Lanes.F);
        int c = 0;
        for (int end = cols - 2 * l; c <= end; c += 2 * l) {
            a0 = FloatVector.fromMemorySegment(Lanes.F, w, off + 4L * c, LE).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
            a1 = FloatVector.fromMemorySegment(Lanes.F, w, off + 4L * (c + l), LE).fma(FloatVector.fromArray(Lanes.F, x, xOff + c + l), a1);
        }
        for (int end = cols - l; c <= end; c += l) a0 = FloatVector.fromMemorySegment(Lanes.F, w, off + 4L * c, LE).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
        float s = Lanes.sum(a0.add(a1));
        for (; c < cols; c++) s = Math.fma(w.get(F32, off + 4L * c), x[xOff + c], s);
        return s;
    }

    /** BF16 weights: each value is the high half of a float32. */
    public static float dotBf16(MemorySegment w, long off, float[] x, int xOff, int cols) {
        int l = Lanes.LENGTH;
        FloatVector a0 = FloatVector.zero(Lanes.F);
        FloatVector a1 = FloatVector.zero(Lanes.F);
        int c = 0;
        for (int end = cols - 2 * l; c <= end; c += 2 * l) {
            a0 = bf16(w, off + 2L * c).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
            a1 = bf16(w, off + 2L * (c + l)).fma(FloatVector.fromArray(Lanes.F, x, xOff + c + l), a1);
        }
        for (int end = cols - l; c <= end; c += l) a0 = bf16(w, off + 2L * c).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
        float s = Lanes.sum(a0.add(a1));
        for (; c < cols; c++) s = Math.fma(Float.intBitsToFloat(w.get(I16, off + 2L * c) << 16), x[xOff + c], s);
        return s;
    }

    private static FloatVector bf16(MemorySegment w, long off) {
        IntVector i = (IntVector) ShortVector.fromMemorySegment(Lanes.S, w, off, LE).convertShape(VectorOperators.S2I, Lanes.I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** F16 weights, widened in the lanes (exact for finite values; inf/NaN weights are not expected). */
    public static float dotF16(MemorySegment w, long off, float[] x, int xOff, int cols) {
        int l = Lanes.LENGTH;
        FloatVector a0 = FloatVector.zero(Lanes.F);
        FloatVector a1 = FloatVector.zero(Lanes.F);
        int c = 0;
        for (int end = cols - 2 * l; c <= end; c += 2 * l) {
            a0 = f16(w, off + 2L * c).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
            a1 = f16(w, off + 2L * (c + l)).fma(FloatVector.fromArray(Lanes.F, x, xOff + c + l), a1);
        }
        for (int end = cols - l; c <= end; c += l) a0 = f16(w, off + 2L * c).fma(FloatVector.fromArray(Lanes.F, x, xOff + c), a0);
        float s = Lanes.sum(a0.add(a1));
        for (; c < cols; c++) s = Math.fma(Float.float16ToFloat(w.get(I16, off + 2L * c)), x[xOff + c], s);
        return s;
    }

    /** Sign to bit 31, exponent and mantissa under the float's, then rescaled: normals and subnormals exactly. */
    private static FloatVector f16(MemorySegment w, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(Lanes.S, w, off, LE).convertShape(VectorOperators.S2I, Lanes.I, 0);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        return magnitude.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** Q8_0: blocks of 34 bytes, an f16 scale then 32 int8 codes; {@code cols} is a multiple of 32. */
    public static float dotQ8_0(MemorySegment w, long off, float[] x, int xOff, int cols) {
        int l = Lanes.LENGTH;
        int step = Lanes.B.length();
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = off + 34L * blk;
            int xo = xOff + 32 * blk;
            FloatVector sum = FloatVector.zero(Lanes.F);
            for (int j = 0; j < 32; j += step) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, w, bo + 2 + j, LE);
                for (int p = 0; p < Lanes.PARTS; p++) {
                    FloatVector qf = (FloatVector) q.convertShape(VectorOperators.B2F, Lanes.F, p);
                    sum = qf.fma(FloatVector.fromArray(Lanes.F, x, xo + j + p * l), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(Lanes.F, Float.float16ToFloat(w.get(I16, bo))), acc);
        }
        return Lanes.sum(acc);
    }

    /**
     * Q4_0: blocks of 18 bytes, an f16 scale then 16 bytes of 4-bit codes (low nibbles are elements
     * 0..15, high nibbles 16..31), value {@code (code - 8) * scale}.
     */
    public static float dotQ4_0(MemorySegment w, long off, float[] x, int xOff, int cols) {
        int l = Lanes.LENGTH;
        int step = Lanes.B.length();
        FloatVector acc = FloatVector.zero(Lanes.F);
        for (int blk = 0; blk < cols / 32; blk++) {
            long bo = off + 18L * blk;
            int xo = xOff + 32 * blk;
            FloatVector sum = FloatVector.zero(Lanes.F);
            for (int j = 0; j < 16; j += step) {
                ByteVector q = ByteVector.fromMemorySegment(Lanes.B, w, bo + 2 + j, LE);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
                for (int p = 0; p < Lanes.PARTS; p++) {
                    sum = ((FloatVector) lo.convertShape(VectorOperators.B2F, Lanes.F, p)).fma(FloatVector.fromArray(Lanes.F, x, xo + j + p * l), sum);
                    sum = ((FloatVector) hi.convertShape(VectorOperators.B2F, Lanes.F, p)).fma(FloatVector.fromArray(Lanes.F, x, xo + 16 + j + p * l), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(Lanes.F, Float.float16ToFloat(w.get(I16, bo))), acc);
        }
        return Lanes.sum(acc);
    }
}
