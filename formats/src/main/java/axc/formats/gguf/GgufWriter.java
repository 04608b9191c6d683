package axc.formats.gguf;

import axc.formats.dtype.DType;
import axc.formats.io.Payload;
import axc.formats.io.SegmentIo;
import axc.formats.tensor.TensorInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Streams a GGUF v3 file: header and tensor infos first (offsets computed from the specs), then each
 * tensor's payload in order, padded to the alignment. Callers wrap this in {@code AtomicOutput}.
 */
public final class GgufWriter {
    private GgufWriter() {
    }

    /** One tensor to write; {@code ne} is ggml's innermost-first shape. */
    public record Entry(String name, DType dtype, long[] ne, Payload payload) {
        public long byteSize() {
            return dtype.bytesFor(TensorInfo.elementCount(ne));
        }
    }

    public static void write(Path file, Map<String, GgufValue> metadata, List<Entry> tensors) throws IOException {
        int alignment = GgufFile.DEFAULT_ALIGNMENT;
        GgufValue al = metadata.get("general.alignment");
        if (al != null) alignment = (int) al.asLong();
        byte[] header = header(metadata, tensors, alignment);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            SegmentIo.write(ch, ByteBuffer.wrap(header));
            long dataStart = ch.position();
            for (Entry e : tensors) {
                long before = ch.position();
                e.payload().writeTo(ch);
                long wrote = ch.position() - before;
                if (wrote != e.byteSize()) {
                    throw new IllegalStateException("tensor " + e.name() + ": payload wrote " + wrote + " bytes, expected " + e.byteSize());
                }
                long pad = GgufFile.align(ch.position() - dataStart, alignment) - (ch.position() - dataStart);
                if (pad > 0) SegmentIo.write(ch, ByteBuffer.allocate((int) pad));
            }
        }
    }

    static byte[] header(Map<String, GgufValue> metadata, List<Entry> tensors, int alignment) {
        Out o = new Out();
        o.i32(GgufFile.MAGIC);
        o.i32(3);
        o.i64(tensors.size());
        o.i64(metadata.size());
        for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
            o.string(kv.getKey());
            o.value(kv.getValue());
        }
        long offset = 0;
        for (Entry e : tensors) {
            o.string(e.name());
            o.i32(e.ne().length);
            for (long d : e.ne()) o.i64(d);
            o.i32(GgufType.id(e.dtype()));
            o.i64(offset);
            offset = GgufFile.align(offset + e.byteSize(), alignment);
        }
        int pad = (int) (GgufFile.align(o.size(), alignment) - o.size());
        for (int i = 0; i < pad; i++) o.u8(0);
        return o.bytes();
    }

    /** Little-endian encoder for the header. */
    private static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 16);
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        int size() {
            return buf.size();
        }

        byte[] bytes() {
            return buf.toByteArray();
        }

        void u8(int v) {
            buf.write(v);
        }

        void i16(int v) {
            scratch.clear();
            scratch.putShort((short) v);
            buf.write(scratch.array(), 0, 2);
        }

        void i32(int v) {
            scratch.clear();
            scratch.putInt(v);
            buf.write(scratch.array(), 0, 4);
        }

        void i64(long v) {
            scratch.clear();
            scratch.putLong(v);
            buf.write(scratch.array(), 0, 8);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            buf.write(b, 0, b.length);
        }

        void value(GgufValue v) {
            i32(v.type().id());
            if (v.isArray()) {
                i32(v.elementType().id());
                i64(v.list().size());
                // An array read from a file goes back as its bytes: a vocabulary is never decoded to be copied.
                if (v.value() instanceof EncodedArray a && a.type() == v.elementType()) buf.write(a.raw(), 0, a.raw().length);
                else for (Object x : v.list()) scalar(v.elementType(), x);
            } else {
                scalar(v.type(), v.value());
            }
        }

        void scalar(GgufValueType t, Object x) {
            switch (t) {
                case UINT8, INT8 -> u8((int) ((Number) x).longValue());
                case BOOL -> u8((Boolean) x ? 1 : 0);
                case UINT16, INT16 -> i16((int) ((Number) x).longValue());
                case UINT32, INT32 -> i32((int) ((Number) x).longValue());
                case FLOAT32 -> i32(Float.floatToRawIntBits(((Number) x).floatValue()));
                case UINT64, INT64 -> i64(((Number) x).longValue());
                case FLOAT64 -> i64(Double.doubleToRawLongBits(((Number) x).doubleValue()));
                case STRING -> string((String) x);
                case ARRAY -> throw new IllegalArgumentException("nested arrays are not written");
            }
        }
    }
}
