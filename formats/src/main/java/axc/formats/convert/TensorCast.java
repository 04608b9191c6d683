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
        int outWidth = to == DType.F32 ? 4 : 2;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * outWidth).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i += CHUNK) {
            int m = (int) Math.min(CHUNK, n - i);
            buf.clear();
            for (int j = 0; j < m; j++) {
                float v = read(src, from, i + j);
                switch (to) {
                    case F32 -> buf.putFloat(v);
                    case F16 -> buf.putShort(FloatCodec.floatToF16(v));
                    default -> buf.putShort(FloatCodec.floatToBf16(v));
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
