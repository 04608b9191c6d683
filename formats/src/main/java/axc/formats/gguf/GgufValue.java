package axc.formats.gguf;

import java.util.List;

/**
 * One metadata value with its exact GGUF type, so a value read from a file is written back unchanged.
 * Integers are held as {@code Long}, floats as {@code Double} (FLOAT32 values are exactly representable),
 * booleans as {@code Boolean}, strings as {@code String}; an array holds a {@code List} of those and its
 * element type.
 */
public record GgufValue(GgufValueType type, Object value, GgufValueType elementType) {

    public static GgufValue u32(long v) {
        return new GgufValue(GgufValueType.UINT32, v, null);
    }

    public static GgufValue i32(long v) {
        return new GgufValue(GgufValueType.INT32, v, null);
    }

    public static GgufValue u64(long v) {
        return new GgufValue(GgufValueType.UINT64, v, null);
    }

    public static GgufValue f32(double v) {
        return new GgufValue(GgufValueType.FLOAT32, (double) (float) v, null);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v, null);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v, null);
    }

    public static GgufValue array(GgufValueType elementType, List<?> values) {
        return new GgufValue(GgufValueType.ARRAY, List.copyOf(values), elementType);
    }

    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    public List<?> list() {
        return (List<?>) value;
    }

    public long asLong() {
        return ((Number) value).longValue();
    }

    public double asDouble() {
        return ((Number) value).doubleValue();
    }

    public String asString() {
        return (String) value;
    }

    /** Short display form: arrays as their type and length. */
    public String display() {
        if (isArray()) return "[" + elementType.name().toLowerCase() + " x " + list().size() + "]";
        if (value instanceof String s) return s.length() > 80 ? s.substring(0, 77).replace("\n", "\\n") + "..." : s.replace("\n", "\\n");
        return String.valueOf(value);
    }
}
