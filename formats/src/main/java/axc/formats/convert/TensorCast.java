package axc.formats.convert;

import axc.formats.dtype.DType;
import axc.formats.dtype.FloatCodec;
import axc.formats.io.SegmentIo;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Streams a float tensor from one storage type to another (F32, F16, BF16) in fixed-size chunks, so
 * casting a multi-gigabyte tensor needs a few hundred kilobytes of heap. Same-type copies go straight
 * from the mapping to the channel.
 */
public final class TensorCast {
    private static final int CHUNK = 1 << 16;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorCast() {
    }

    public static void write(MemorySegment src, DType from, DType to, WritableByteChannel out) throws IOException {
        if (from == to) {
            SegmentIo.write(out, src);
            return;
        }
        if (!from.isFloatStorage() || !to.isFloatStorage()) {
            throw new IllegalArgumentException("cast " + from + " -> " + to + " is not a float cast");
        }
        long n = src.byteSize() / (from == DType.F32 ? 4 : 2);
        float[] f = new float[CHUNK];
        short[] h = new short[CHUNK];
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
        for (long i = 0; i < n; i += CHUNK) {
            int m = (int) Math.min(CHUNK, n - i);
            // Bulk copy in, convert array to array, bulk copy out: no per-element bounds or byte-order work.
            if (from == DType.F32) {
                MemorySegment.copy(src, F32, i * 4, f, 0, m);
            } else {
                MemorySegment.copy(src, I16, i * 2, h, 0, m);
                if (from == DType.BF16) for (int j = 0; j < m; j++) f[j] = FloatCodec.bf16ToFloat(h[j]);
                else for (int j = 0; j < m; j++) f[j] = FloatCodec.f16ToFloat(h[j]);
            }
            int bytes;
            if (to == DType.F32) {
                MemorySegment.copy(f, 0, bufSeg, F32, 0, m);
                bytes = m * 4;
            } else {
                if (to == DType.BF16) for (int j = 0; j < m; j++) h[j] = FloatCodec.floatToBf16(f[j]);
                else for (int j = 0; j < m; j++) h[j] = FloatCodec.floatToF16(f[j]);
                MemorySegment.copy(h, 0, bufSeg, I16, 0, m);
                bytes = m * 2;
            }
            buf.clear().limit(bytes);
            SegmentIo.write(out, buf);
        }
    }

    /** Encodes {@code v[off..off+n)} as {@code to} (F32, F16 or BF16) into {@code out}. */
    public static void writeFloats(float[] v, int off, int n, DType to, WritableByteChannel out) throws IOException {
        int width = to == DType.F32 ? 4 : 2;
        ByteBuffer buf = ByteBuffer.allocate(Math.min(n, CHUNK) * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            buf.clear();
            for (int j = 0; j < m; j++) {
                float x = v[off + i + j];
                switch (to) {
                    case F32 -> buf.putFloat(x);
                    case F16 -> buf.putShort(FloatCodec.floatToF16(x));
                    case BF16 -> buf.putShort(FloatCodec.floatToBf16(x));
                    default -> throw new IllegalArgumentException(to + " is not a float storage type");
                }
            }
            buf.flip();
            SegmentIo.write(out, buf);
        }
    }

    /** Element {@code i} of a float tensor as float32. */
    public static float read(MemorySegment src, DType t, long i) {
        return switch (t) {
            case F32 -> src.get(F32, i * 4);
            case F16 -> FloatCodec.f16ToFloat(src.get(I16, i * 2));
            case BF16 -> FloatCodec.bf16ToFloat(src.get(I16, i * 2));
            default -> throw new IllegalArgumentException(t + " is not a float storage type");
        };
    }
}
