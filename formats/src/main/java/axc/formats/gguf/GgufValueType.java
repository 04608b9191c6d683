package axc.formats.gguf;

/** GGUF metadata value types, with their on-disk ids. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    final int id;
    /** Smallest encoded size, used to bound counts before allocating. */
    final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    public int id() {
        return id;
    }

    static GgufValueType fromId(int id) {
        for (GgufValueType t : values()) if (t.id == id) return t;
        return null;
    }
}
