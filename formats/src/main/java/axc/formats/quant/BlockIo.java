package axc.formats.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian field access for block layouts, plus the two rounding helpers that llama.cpp's
 * reference code relies on. Everything is float32: ggml computes in float, and matching it bit for
 * bit means never widening to double where C would not.
 */
final class BlockIo {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockIo() {
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static void putU8(MemorySegment s, long off, int v) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(LE_SHORT, off));
    }

    /** Stores {@code v} as f16 (round to nearest even, as ggml's converter) and returns the stored value. */
    static float putF16(MemorySegment s, long off, float v) {
        short h = Float.floatToFloat16(v);
        s.set(LE_SHORT, off, h);
        return Float.float16ToFloat(h);
    }

    static int le32(MemorySegment s, long off) {
        return s.get(LE_INT, off);
    }

    static void putLe32(MemorySegment s, long off, int v) {
        s.set(LE_INT, off, v);
    }

    /**
     * ggml's {@code nearest_int}: adding 1.5*2^23 pushes the fraction out of the mantissa, so the
     * float adder rounds half to even; valid for |f| below 2^22, as in ggml.
     */
    static int nearestInt(float f) {
        float v = f + 12582912.f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /** C's {@code roundf}: half away from zero (Math.round would send -2.5 to -2). Exact in double. */
    static float roundf(float x) {
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }
}
