package axc.formats.safetensors;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.io.MappedFile;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import com.fasterxml.jackson.databind.JsonNode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapped {@code .safetensors} file. Everything in the header is validated before any tensor is
 * handed out: header length, JSON shape, dtype, shape against byte length, and offsets that tile the
 * data area exactly (no overlaps, no gaps, nothing past the end).
 */
public final class SafetensorsFile implements TensorStore {
    /** safetensors' own limit on the header (100 MB). */
    public static final long MAX_HEADER = 100L << 20;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, long dataStart,
                            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        return MappedFile.open(path, 8, "truncated safetensors file, no header length", (arena, map) -> {
            long size = map.byteSize();
            long headerLen = map.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 2 || headerLen > MAX_HEADER) {
                throw InvalidInputException.of(path, "safetensors header length " + headerLen + " is out of bounds (2.." + MAX_HEADER + ")");
            }
            if (headerLen > size - 8) {
                throw InvalidInputException.of(path, "safetensors header length " + headerLen + " runs past the end of the file (" + size + " bytes)");
            }
            byte[] header = map.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, header, size - dataStart, metadata);
            return new SafetensorsFile(path, arena, map, dataStart, tensors, metadata);
        });
    }

    static Map<String, TensorInfo> parseHeader(Path path, byte[] header, long dataSize, Map<String, String> metadata) {
        String text = new String(header, StandardCharsets.UTF_8);
        JsonNode root = Json.parse(text.stripTrailing().getBytes(StandardCharsets.UTF_8), path + " (safetensors header)");
        if (!root.isObject()) throw InvalidInputException.of(path, "safetensors header is not a JSON object");
        List<TensorInfo> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw InvalidInputException.of(path, "__metadata__ is not an object");
                for (Map.Entry<String, JsonNode> m : v.properties()) {
                    if (!m.getValue().isTextual()) throw InvalidInputException.of(path, "__metadata__." + m.getKey() + " is not a string");
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            list.add(parseEntry(path, name, v, dataSize));
        }
        // Offsets must tile [0, dataSize) exactly, as the reference implementation requires.
        List<TensorInfo> byOffset = new ArrayList<>(list);
        byOffset.sort(Comparator.comparingLong(TensorInfo::offset).thenComparingLong(TensorInfo::byteSize));
        long expect = 0;
        for (TensorInfo t : byOffset) {
            if (t.offset() < expect) throw InvalidInputException.of(path, "tensor " + t.name() + ": data overlaps the previous tensor (offset " + t.offset() + " < " + expect + ")");
            if (t.offset() > expect) throw InvalidInputException.of(path, "tensor " + t.name() + ": gap in the data before offset " + t.offset() + " (previous tensor ends at " + expect + ")");
            expect = t.offset() + t.byteSize();
        }
        if (expect != dataSize) {
            throw InvalidInputException.of(path, "tensor data covers " + expect + " bytes but the file holds " + dataSize + " bytes after the header"
                    + (expect < dataSize ? " (trailing bytes)" : " (truncated)"));
        }
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        for (TensorInfo t : list) map.put(t.name(), t);
        return Collections.unmodifiableMap(map);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataSize) {
        String where = "tensor " + name + ": ";
        if (!v.isObject()) throw InvalidInputException.of(path, where + "entry is not an object");
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw InvalidInputException.of(path, where + "missing or non-string dtype");
        if (sh == null || !sh.isArray()) throw InvalidInputException.of(path, where + "missing shape array");
        if (off == null || !off.isArray() || off.size() != 2) throw InvalidInputException.of(path, where + "data_offsets must be [begin, end]");
        DType dtype = SafetensorsDType.fromId(dt.asText())
                .orElseThrow(() -> InvalidInputException.of(path, where + "unknown dtype '" + dt.asText() + "'"));
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw InvalidInputException.of(path, where + "shape[" + i + "] is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
        }
        for (int i = 0; i < 2; i++) {
            if (!off.get(i).isIntegralNumber() || !off.get(i).canConvertToLong() || off.get(i).asLong() < 0) {
                throw InvalidInputException.of(path, where + "data_offsets[" + i + "] is not a non-negative integer");
            }
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (end < begin) throw InvalidInputException.of(path, where + "data_offsets end " + end + " is before begin " + begin);
        if (end > dataSize) throw InvalidInputException.of(path, where + "data_offsets end " + end + " runs past the end of the data (" + dataSize + " bytes)");
        long expected;
        try {
            expected = dtype.bytesFor(TensorInfo.elementCount(shape));
        } catch (ArithmeticException e) {
            throw InvalidInputException.of(path, where + "shape " + sh + " overflows 64 bits");
        }
        if (expected != end - begin) {
            throw InvalidInputException.of(path, where + dtype + " " + sh + " needs " + expected + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end - begin);
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public MemorySegment data(String name) {
        TensorInfo t = get(name);
        return mapping.asSlice(dataStart + t.offset(), t.byteSize());
    }

    @Override
    public Optional<FileRegion> region(String name) {
        return find(name).map(t -> new FileRegion(path, dataStart + t.offset(), t.byteSize()));
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
