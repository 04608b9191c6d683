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

    /**
     * Where the tensor's bytes lie in a file, when they lie in one piece: lets a same-type copy go
     * file-to-file in the kernel instead of through user space.
     */
    default Optional<FileRegion> region(String name) {
        return Optional.empty();
    }

    /** A byte range of a file. */
    record FileRegion(Path file, long offset, long length) {
    }

    /** The files this store reads (for provenance hashes). */
    List<Path> files();

    @Override
    void close();
}
