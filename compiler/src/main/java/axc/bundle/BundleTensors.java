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

    private BundleTensors(Bundle bundle, Map<String, TensorInfo> tensors) {
        this.bundle = bundle;
        this.tensors = tensors;
    }

    public static String entry(String tensor) {
        return "weights/" + tensor;
    }

    /** Writes every tensor of {@code store} into the artifact, unchanged, with the index. */
    public static void copyAll(TensorStore store, BundleWriter out) {
        ArrayNode index = Json.MAPPER.createArrayNode();
        for (TensorInfo t : store.tensors()) {
            ObjectNode e = index.addObject();
            e.put("name", t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            out.add(entry(t.name()), t.byteSize(), ch -> axc.formats.io.SegmentIo.write(ch, store.data(t.name())));
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
        for (JsonNode e : index) {
            String name = e.path("name").asText();
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
        return new BundleTensors(b, map);
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
