package axc.formats.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Named tensors backed by mapped files. Data is a read-only slice of the mapping, never a copy, and
 * stays valid until the store is closed.
 */
public interface TensorStore extends AutoCloseable {
    /** Tensors in file order. */
    List<TensorInfo> tensors();

    Optional<TensorInfo> find(String name);

    default TensorInfo get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
    }

    default boolean contains(String name) {
        return find(name).isPresent();
    }

    /** The tensor's bytes. */
    MemorySegment data(String name);

    /** The files this store reads (for provenance hashes). */
    List<Path> files();

    @Override
    void close();
}
