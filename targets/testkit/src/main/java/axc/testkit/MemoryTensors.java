package axc.testkit;

import axc.formats.dtype.DType;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tensors held on the heap, in the order they were added: the weights of generated test graphs. */
public final class MemoryTensors implements TensorStore {
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();

    /** Adds tensor {@code name}; {@code bytes} must be exactly {@code dtype.bytesFor(elements)}. */
    public MemoryTensors put(String name, DType dtype, long[] shape, byte[] bytes) {
        long want = dtype.bytesFor(TensorInfo.elementCount(shape));
        if (bytes.length != want) throw new IllegalArgumentException("tensor " + name + ": " + bytes.length + " bytes, " + dtype + " " + java.util.Arrays.toString(shape) + " needs " + want);
        if (infos.containsKey(name)) throw new IllegalArgumentException("duplicate tensor " + name);
        infos.put(name, new TensorInfo(name, dtype, shape, 0, bytes.length));
        data.put(name, bytes);
        return this;
    }

    @Override
    public List<TensorInfo> tensors() {
        return List.copyOf(infos.values());
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(infos.get(name));
    }

    @Override
    public MemorySegment data(String name) {
        byte[] b = data.get(name);
        if (b == null) throw new IllegalArgumentException("no tensor " + name);
        return MemorySegment.ofArray(b).asReadOnly();
    }

    @Override
    public List<Path> files() {
        return List.of();
    }

    @Override
    public void close() {
        // heap memory
    }
}
