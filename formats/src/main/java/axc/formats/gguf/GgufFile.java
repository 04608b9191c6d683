package axc.formats.gguf;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.io.MappedFile;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.formats.tokenizer.Utf8;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mapped GGUF (v2 or v3) file. Every count, length and offset in the header is checked against the
 * bytes that remain before it is used, so a hostile header cannot make the reader allocate or read
 * past the end; tensor data are slices of the mapping.
 */
public final class GgufFile implements TensorStore {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment map;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataStart;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment map, int version, Map<String, GgufValue> metadata,
                     Map<String, GgufTensorInfo> tensors, long dataStart, int alignment) {
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.alignment = alignment;
    }

    public static GgufFile open(Path path) {
        return MappedFile.open(path, 24, "truncated GGUF file", (arena, map) -> parse(path, arena, map, false));
    }

    /**
     * Opens the file for its tensors alone: metadata arrays (a vocabulary's few hundred thousand strings,
     * its merges and scores) are stepped over, their lengths bounds-checked but nothing decoded, and are
     * missing from {@link #metadata()}. A scan of the weights that runs while the same file is opened in
     * full elsewhere then does not parse the vocabulary a second time.
     */
    public static GgufFile openTensorsOnly(Path path) {
        return MappedFile.open(path, 24, "truncated GGUF file", (arena, map) -> parse(path, arena, map, true));
    }

    /** True when the file starts with the GGUF magic. */
    public static boolean looksLike(Path p) {
        if (!java.nio.file.Files.isRegularFile(p)) return false; // a pipe would block the open below
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return ch.read(b) == 4 && b.getInt(0) == MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment map, boolean skipArrays) {
        Cursor c = new Cursor(path, map);
        if (c.i32() != MAGIC) throw InvalidInputException.of(path, "not a GGUF file (bad magic)");
        int version = c.i32();
        if (version != 2 && version != 3) throw InvalidInputException.of(path, "GGUF version " + version + " is not supported (expected 2 or 3)");
        long nTensors = c.u64("tensor count");
        long nKv = c.u64("metadata count");
        // Each tensor info takes at least 24 bytes and each KV at least 13: bound the counts first.
        if (nTensors > c.remaining() / 24) throw InvalidInputException.of(path, "tensor count " + nTensors + " cannot fit in the file");
        if (nKv > c.remaining() / 13) throw InvalidInputException.of(path, "metadata count " + nKv + " cannot fit in the file");
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = c.string("metadata key");
            if (meta.containsKey(key)) throw InvalidInputException.of(path, "duplicate metadata key '" + key + "'");
            GgufValue v = c.value(key, skipArrays);
            if (v != null) meta.put(key, v);
        }
        int alignment = DEFAULT_ALIGNMENT;
        GgufValue al = meta.get("general.alignment");
        if (al != null) {
            if (al.isArray() || !(al.value() instanceof Long l) || l <= 0 || l > (1 << 20) || Long.bitCount(l) != 1) {
                throw InvalidInputException.of(path, "general.alignment must be a power of two, got " + al.display());
            }
            alignment = (int) (long) (Long) al.value();
        }
        List<long[]> raw = new ArrayList<>();
        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < nTensors; i++) {
            String name = c.string("tensor name");
            int nd = c.i32();
            if (nd < 1 || nd > MAX_DIMS) throw InvalidInputException.of(path, "tensor " + name + ": " + nd + " dimensions (1.." + MAX_DIMS + " allowed)");
            long[] ne = new long[nd];
            for (int d = 0; d < nd; d++) {
                ne[d] = c.u64("tensor " + name + " dimension");
            }
            int typeId = c.i32();
            long offset = c.u64("tensor " + name + " offset");
            DType dt = GgufType.fromId(typeId).orElseThrow(() -> InvalidInputException.of(path, "tensor " + name + ": unknown or unsupported ggml type " + typeId));
            long n;
            long bytes;
            try {
                n = TensorInfo.elementCount(ne);
                if (ne[0] % dt.blockSize() != 0) throw InvalidInputException.of(path, "tensor " + name + ": row of " + ne[0] + " is not a multiple of the " + dt + " block (" + dt.blockSize() + ")");
                bytes = dt.bytesFor(n);
            } catch (ArithmeticException e) {
                throw InvalidInputException.of(path, "tensor " + name + ": shape " + java.util.Arrays.toString(ne) + " overflows 64 bits");
            }
            if (offset % alignment != 0) throw InvalidInputException.of(path, "tensor " + name + ": offset " + offset + " is not aligned to " + alignment);
            if (infos.containsKey(name)) throw InvalidInputException.of(path, "duplicate tensor name '" + name + "'");
            infos.put(name, new GgufTensorInfo(name, dt, ne, offset, bytes));
            raw.add(new long[]{offset, bytes});
        }
        long dataStart = align(c.pos, alignment);
        long dataSize = map.byteSize() - dataStart;
        if (dataSize < 0 && !infos.isEmpty()) throw InvalidInputException.of(path, "truncated: no tensor data section");
        List<GgufTensorInfo> sorted = new ArrayList<>(infos.values());
        sorted.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        long end = 0;
        for (GgufTensorInfo t : sorted) {
            if (t.offset() < end) throw InvalidInputException.of(path, "tensor " + t.name() + ": data overlaps the previous tensor");
            if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw InvalidInputException.of(path, "tensor " + t.name() + ": data [" + t.offset() + ", +" + t.byteSize() + ") runs past the end of the file (truncated?)");
            }
            end = t.offset() + t.byteSize();
        }
        return new GgufFile(path, arena, map, version, meta, infos, dataStart, alignment);
    }

    static long align(long x, int a) {
        return (x + a - 1) / a * a;
    }

    /** Bounds-checked little-endian reader over the mapping. */
    private static final class Cursor {
        final Path path;
        final MemorySegment m;
        long pos;

        Cursor(Path path, MemorySegment m) {
            this.path = path;
            this.m = m;
        }

        long remaining() {
            return m.byteSize() - pos;
        }

        void need(long n, String what) {
            if (n < 0 || n > remaining()) throw InvalidInputException.of(path, "truncated while reading " + what + " at byte " + pos);
        }

        /** As {@link #need(long, String)} for one element of metadata {@code key}. */
        void needElement(int n, String key) {
            if (n > remaining()) throw InvalidInputException.of(path, "truncated while reading metadata '" + key + "' at byte " + pos);
        }

        int i32() {
            need(4, "header");
            int v = m.get(I32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = m.get(I64, pos);
            pos += 8;
            if (v < 0) throw InvalidInputException.of(path, what + " " + Long.toUnsignedString(v) + " is out of range");
            return v;
        }

        /** What a string is called in errors; built only for an error. */
        private static String label(String what, String key) {
            return what != null ? what : "metadata '" + key + "'";
        }

        /** One strict decoder for the file: a vocabulary is a few hundred thousand strings. */
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        String string(String what) {
            return string(what, null);
        }

        /** A string; {@code what} names it in errors, as {@code "metadata 'KEY'"} when only the key is given. */
        String string(String what, String key) {
            if (remaining() < 8) need(8, label(what, key) + " length");
            long len = m.get(I64, pos);
            pos += 8;
            if (len < 0) throw InvalidInputException.of(path, label(what, key) + " length " + Long.toUnsignedString(len) + " is out of range");
            if (len > remaining()) need(len, label(what, key));
            if (len > Integer.MAX_VALUE - 8) throw InvalidInputException.of(path, label(what, key) + " of " + len + " bytes is too long");
            byte[] b = new byte[(int) len];
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
            pos += len;
            // The JDK's own decoding is the fast one, but it replaces malformed input with U+FFFD; only
            // a string holding U+FFFD (malformed, or written so) goes through the strict decoder.
            String str = new String(b, StandardCharsets.UTF_8);
            if (str.indexOf('\uFFFD') < 0) return str;
            try {
                return utf8.reset().decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw InvalidInputException.of(path, label(what, key) + " at byte " + (pos - len) + " is not valid UTF-8");
            }
        }

        /** One metadata value; with {@code skipArrays}, an array is stepped over, its bounds checked, and null returned. */
        GgufValue value(String key, boolean skipArrays) {
            int typeId = i32();
            GgufValueType t = GgufValueType.fromId(typeId);
            if (t == null) throw InvalidInputException.of(path, "metadata '" + key + "': unknown value type " + typeId);
            if (t != GgufValueType.ARRAY) return new GgufValue(t, scalar(t, key), null);
            int et = i32();
            GgufValueType elem = GgufValueType.fromId(et);
            if (elem == GgufValueType.ARRAY) throw InvalidInputException.of(path, "metadata '" + key + "': arrays of arrays are not supported");
            if (elem == null) throw InvalidInputException.of(path, "metadata '" + key + "': bad array element type " + et);
            long n = u64("metadata '" + key + "' array length");
            if (n > remaining() / elem.minBytes) throw InvalidInputException.of(path, "metadata '" + key + "': array of " + n + " elements cannot fit in the file");
            if (skipArrays) {
                stepOver(key, elem, n, null, pos);
                return null;
            }
            return new GgufValue(GgufValueType.ARRAY, encoded(key, elem, n), elem);
        }

        /**
         * The {@code n} elements of a metadata array as the file encodes them, checked as the scalars
         * are (lengths within the file, strings well-formed UTF-8, bools 0 or 1) but not decoded.
         */
        private EncodedArray encoded(String key, GgufValueType elem, long n) {
            if (n > Integer.MAX_VALUE - 8) throw InvalidInputException.of(path, "metadata '" + key + "': array of " + n + " elements is too long");
            long start = pos;
            int[] at = elem == GgufValueType.STRING ? new int[(int) n] : null;
            stepOver(key, elem, n, at, start);
            if (pos - start > Integer.MAX_VALUE - 8) throw InvalidInputException.of(path, "metadata '" + key + "': array of " + (pos - start) + " bytes is too long");
            byte[] raw = new byte[(int) (pos - start)];
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, start, raw, 0, raw.length);
            if (elem == GgufValueType.BOOL) {
                for (byte b : raw) if (b != 0 && b != 1) throw InvalidInputException.of(path, "metadata '" + key + "': bool byte " + b);
            }
            for (int i = 0; at != null && i < at.length; i++) {
                int from = at[i] + 8;
                int len = (int) m.get(I64, start + at[i]);   // within raw: checked by stepOver
                if (Utf8.malformedAt(raw, from, from + len) >= 0) {
                    throw InvalidInputException.of(path, "metadata '" + key + "' at byte " + (start + from) + " is not valid UTF-8");
                }
            }
            return new EncodedArray(elem, raw, at, (int) n);
        }

        /**
         * Moves past the {@code n} elements of a metadata array, every string's length checked against
         * the bytes left; records where each string starts, from {@code start}, in {@code at} when given.
         * No message is built per element: it is a vocabulary's worth of strings.
         */
        private void stepOver(String key, GgufValueType elem, long n, int[] at, long start) {
            if (elem != GgufValueType.STRING) {
                pos += n * elem.minBytes;   // n was bounded by the bytes left
                return;
            }
            for (long i = 0; i < n; i++) {
                needElement(8, key);
                if (at != null) at[(int) i] = (int) (pos - start);
                long len = m.get(I64, pos);
                pos += 8;
                if (len < 0 || len > remaining()) throw InvalidInputException.of(path, "metadata '" + key + "': string of "
                        + Long.toUnsignedString(len) + " bytes at byte " + (pos - 8) + " runs past the end of the file");
                pos += len;
            }
        }

        Object scalar(GgufValueType t, String key) {
            // The key, not a message, travels with each element: an array of 150k strings would
            // otherwise build 150k messages that are never shown.
            return switch (t) {
                case UINT8 -> { needElement(1, key); yield (long) (m.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF); }
                case INT8 -> { needElement(1, key); yield (long) m.get(ValueLayout.JAVA_BYTE, pos++); }
                case BOOL -> {
                    needElement(1, key);
                    byte b = m.get(ValueLayout.JAVA_BYTE, pos++);
                    if (b != 0 && b != 1) throw InvalidInputException.of(path, "metadata '" + key + "': bool byte " + b);
                    yield b == 1;
                }
                case UINT16 -> { needElement(2, key); long v = m.get(I16, pos) & 0xFFFF; pos += 2; yield v; }
                case INT16 -> { needElement(2, key); long v = m.get(I16, pos); pos += 2; yield v; }
                case UINT32 -> { needElement(4, key); long v = m.get(I32, pos) & 0xFFFFFFFFL; pos += 4; yield v; }
                case INT32 -> { needElement(4, key); long v = m.get(I32, pos); pos += 4; yield v; }
                case FLOAT32 -> { needElement(4, key); double v = m.get(F32, pos); pos += 4; yield v; }
                case UINT64, INT64 -> { needElement(8, key); long v = m.get(I64, pos); pos += 8; yield v; }
                case FLOAT64 -> { needElement(8, key); double v = m.get(F64, pos); pos += 8; yield v; }
                case STRING -> string(null, key);
                case ARRAY -> throw new IllegalStateException();
            };
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    public Optional<GgufValue> meta(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    public String architecture() {
        return meta("general.architecture").map(GgufValue::asString)
                .orElseThrow(() -> InvalidInputException.of(path, "missing general.architecture"));
    }

    public List<GgufTensorInfo> ggufTensors() {
        return List.copyOf(tensors.values());
    }

    public GgufTensorInfo ggufTensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) throw InvalidInputException.of(path, "tensor " + name + " is missing");
        return t;
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors.values().stream().map(GgufTensorInfo::info).toList();
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name)).map(GgufTensorInfo::info);
    }

    @Override
    public MemorySegment data(String name) {
        GgufTensorInfo t = ggufTensor(name);
        return map.asSlice(dataStart + t.offset(), t.byteSize());
    }

    @Override
    public Optional<FileRegion> region(String name) {
        GgufTensorInfo t = tensors.get(name);
        return t == null ? Optional.empty() : Optional.of(new FileRegion(path, dataStart + t.offset(), t.byteSize()));
    }

    @Override
    public List<Path> files() {
        return List.of(path);
    }

    @Override
    public void close() {
        arena.close();
    }
}
