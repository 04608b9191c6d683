package axc.bundle;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tensors stored in an artifact: {@code weights/index.json} lists each tensor's name, dtype and shape;
 * its bytes are the entry {@code weights/<name>}, read in place from the mapped artifact.
 */
public final class BundleTensors implements TensorStore {
    public static final String INDEX = "weights/index.json";

    private final Bundle bundle;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> layouts;

    private BundleTensors(Bundle bundle, Map<String, TensorInfo> tensors, Map<String, String> layouts) {
        this.bundle = bundle;
        this.tensors = tensors;
        this.layouts = layouts;
    }

    /**
     * A target's own arrangement of a tensor's bytes (same dtype, shape and size, e.g. rows regrouped
     * for its kernels): the name the index records and what writes the bytes.
     */
    public record Layout(String name, axc.formats.io.Payload payload) {
    }

    /** Chooses a layout per tensor; null keeps the stored bytes. */
    @FunctionalInterface
    public interface Layouts {
        Layout of(TensorInfo t, TensorStore store);
    }

    public static String entry(String tensor) {
        return "weights/" + tensor;
    }

    /** Writes every tensor of {@code store} into the artifact, unchanged, with the index. */
    public static void copyAll(TensorStore store, BundleWriter out) {
        writeAll(store, out, (t, s) -> null);
    }

    /**
     * Writes every tensor of {@code store}, each in the layout {@code layouts} picks (stored bytes when
     * it picks none), with the index; a laid-out tensor's index entry names its layout, so a reader
     * that does not know it can refuse rather than misread.
     */
    public static void writeAll(TensorStore store, BundleWriter out, Layouts layouts) {
        ArrayNode index = Json.MAPPER.createArrayNode();
        for (TensorInfo t : store.tensors()) {
            ObjectNode e = index.addObject();
            e.put("name", t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            Layout layout = layouts.of(t, store);
            if (layout == null) {
                out.add(entry(t.name()), t.byteSize(), ch -> axc.formats.io.SegmentIo.write(ch, store.data(t.name())));
            } else {
                e.put("layout", layout.name());
                out.add(entry(t.name()), t.byteSize(), layout.payload());
            }
        }
        try {
            out.add(INDEX, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BundleTensors open(Bundle b) {
        Path where = b.path();
        if (!b.contains(INDEX)) throw InvalidInputException.of(where, "artifact has no " + INDEX);
        JsonNode index = Json.parse(b.bytes(INDEX), where + " (" + INDEX + ")");
        Map<String, TensorInfo> map = new LinkedHashMap<>();
        Map<String, String> layouts = new LinkedHashMap<>();
        for (JsonNode e : index) {
            String name = e.path("name").asText();
            if (e.hasNonNull("layout")) layouts.put(name, e.get("layout").asText());
            DType dt;
            try {
                dt = DType.valueOf(e.path("dtype").asText());
            } catch (IllegalArgumentException x) {
                throw InvalidInputException.of(where, "tensor " + name + ": unknown dtype " + e.path("dtype").asText());
            }
            List<Long> dims = new ArrayList<>();
            e.path("shape").forEach(d -> dims.add(d.asLong()));
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            if (!b.contains(entry(name))) throw InvalidInputException.of(where, "tensor " + name + " is listed but has no entry");
            long size = b.data(entry(name)).byteSize();
            long want;
            try {
                want = dt.bytesFor(TensorInfo.elementCount(shape));
            } catch (ArithmeticException x) {
                throw InvalidInputException.of(where, "tensor " + name + ": bad shape " + dims);
            }
            if (size != want) throw InvalidInputException.of(where, "tensor " + name + ": entry has " + size + " bytes, its dtype and shape need " + want);
            map.put(name, new TensorInfo(name, dt, shape, 0, size));
        }
        return new BundleTensors(b, map, layouts);
    }

    /** The layout a target wrote {@code name} in, if not the stored one. */
    public Optional<String> layout(String name) {
        return Optional.ofNullable(layouts.get(name));
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
        if (!tensors.containsKey(name)) throw new IllegalArgumentException("no tensor " + name);
        return bundle.data(entry(name));
    }

    @Override
    public List<Path> files() {
        return List.of(bundle.path());
    }

    @Override
    public void close() {
        // the bundle owns the mapping
    }
}
