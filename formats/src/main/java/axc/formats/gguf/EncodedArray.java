package axc.formats.gguf;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A metadata array as the file encodes it: its elements' bytes, decoded one element at a time when
 * read, and written back as they were. A Qwen vocabulary is two arrays of 151,936 strings plus two of
 * numbers; building a String or a boxed number for each when the file opened was most of the open,
 * and most of a quantize's start, which only copies them to its output ({@link GgufWriter} copies the
 * bytes). The reader has checked the bytes: every string is well-formed UTF-8, every bool 0 or 1.
 * Elements read as {@link GgufFile}'s scalars do: integers as {@code Long}, floats as
 * {@code Double}, booleans as {@code Boolean}, strings as {@code String}.
 */
final class EncodedArray extends AbstractList<Object> implements RandomAccess {
    private final GgufValueType type;
    private final byte[] raw;
    /** For strings, where each element's 8-byte length starts in {@link #raw}; null for fixed-size types. */
    private final int[] at;
    private final int size;
    /** Elements decoded so far (an element decodes to the same value whichever thread does it first). */
    private final Object[] decoded;

    EncodedArray(GgufValueType type, byte[] raw, int[] at, int size) {
        this.type = type;
        this.raw = raw;
        this.at = at;
        this.size = size;
        this.decoded = new Object[size];
    }

    GgufValueType type() {
        return type;
    }

    /** The elements' encoded bytes, back to back as in the file. */
    byte[] raw() {
        return raw;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(int i) {
        Object v = decoded[java.util.Objects.checkIndex(i, size)];
        if (v == null) {
            v = decode(i);
            decoded[i] = v;
        }
        return v;
    }

    private Object decode(int i) {
        if (type == GgufValueType.STRING) {
            int p = at[i];
            return new String(raw, p + 8, (int) le(p, 8), StandardCharsets.UTF_8);
        }
        int p = i * type.minBytes;
        return switch (type) {
            case UINT8 -> (long) (raw[p] & 0xFF);
            case INT8 -> (long) raw[p];
            case BOOL -> raw[p] == 1;
            case UINT16 -> le(p, 2);
            case INT16 -> (long) (short) le(p, 2);
            case UINT32 -> le(p, 4);
            case INT32 -> (long) (int) le(p, 4);
            case FLOAT32 -> (double) Float.intBitsToFloat((int) le(p, 4));
            case UINT64, INT64 -> le(p, 8);
            case FLOAT64 -> Double.longBitsToDouble(le(p, 8));
            case STRING, ARRAY -> throw new IllegalStateException(type.name());
        };
    }

    /** The little-endian unsigned value of {@code bytes} bytes at {@code p}. */
    private long le(int p, int bytes) {
        long v = 0;
        for (int k = bytes - 1; k >= 0; k--) v = (v << 8) | (raw[p + k] & 0xFF);
        return v;
    }
}
