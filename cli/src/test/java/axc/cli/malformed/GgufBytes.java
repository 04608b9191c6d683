package axc.cli.malformed;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes GGUF bytes field by field, with nothing checked, so a test can put any value in any field:
 * counts, lengths, dimensions and offsets that a real writer would never produce.
 */
final class GgufBytes {
    static final int STRING = 8, ARRAY = 9, UINT32 = 4, FLOAT32 = 6;
    static final int F32 = 0;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    GgufBytes u32(long v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        return this;
    }

    GgufBytes u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    GgufBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    GgufBytes bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A GGUF string: u64 length, then the UTF-8 bytes. */
    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    /** Magic, version 3 and the two counts. */
    GgufBytes header(long tensors, long kvs) {
        return bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors).u64(kvs);
    }

    GgufBytes kvString(String key, String value) {
        return str(key).u32(STRING).str(value);
    }

    GgufBytes kvU32(String key, long value) {
        return str(key).u32(UINT32).u32(value);
    }

    GgufBytes tensor(String name, int type, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long d : ne) u64(d);
        return u32(type).u64(offset);
    }

    /** Zeros up to the next multiple of {@code alignment}, where the data section starts. */
    GgufBytes align(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    GgufBytes zeros(int n) {
        return bytes(new byte[n]);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
