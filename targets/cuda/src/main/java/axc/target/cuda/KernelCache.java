package axc.target.cuda;

import axc.formats.io.AtomicOutput;
import axc.formats.io.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * nvcc's output kept by the sha256 of the CUDA C it compiled, in the folder {@code AXC_CUDA_CACHE}
 * (or {@code -Daxc.cuda.cache}) names: a recompile of the same model skips nvcc, and a machine without
 * nvcc (a GPU machine with only a driver) still writes binaries for kernels compiled elsewhere, which
 * is how the GPU check carries them. Entries are written whole (temp file, rename) and the binary is
 * the one nvcc made for exactly this source, so an artifact is the same with or without the cache.
 */
final class KernelCache {
    private final Path dir;

    private KernelCache(Path dir) {
        this.dir = dir;
    }

    static Optional<KernelCache> configured() {
        String d = System.getProperty("axc.cuda.cache", System.getenv("AXC_CUDA_CACHE"));
        return d == null || d.isBlank() ? Optional.empty() : Optional.of(new KernelCache(Path.of(d)));
    }

    Optional<Nvcc.Result> find(String source) {
        String key = Sha256.of(source.getBytes(StandardCharsets.UTF_8));
        Path bin = dir.resolve(key + ".fatbin"), report = dir.resolve(key + ".ptxas.txt");
        if (!Files.isRegularFile(bin) || !Files.isRegularFile(report)) return Optional.empty();
        try {
            return Optional.of(new Nvcc.Result(Files.readAllBytes(bin), Nvcc.PtxasReport.parseText(Files.readString(report))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void put(String source, Nvcc.Result r) {
        String key = Sha256.of(source.getBytes(StandardCharsets.UTF_8));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicOutput.writeFile(dir.resolve(key + ".ptxas.txt"), tmp -> Files.writeString(tmp, r.report().text()));
        AtomicOutput.writeFile(dir.resolve(key + ".fatbin"), tmp -> Files.write(tmp, r.fatbin()));
    }
}
