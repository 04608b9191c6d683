package axc.target.cpu;

import axc.formats.io.LargePages;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Where the cpu target's kernels read weights from. {@link Mode#COPY} (the default) copies each
 * matrix the kernels stream out of the mapped artifact into {@link LargePages} memory once, at load:
 * a decode step reads every weight, and from 2 MiB pages it ran 6-10% faster here than from the
 * file's 4 KiB ones, for a load that reads the file anyway and about 0.1 s of copying per 500 MB
 * (docs/performance.md). {@link Mode#MAPPED} reads them in place, so processes serving the same
 * artifact share one copy in the page cache. Chosen with the system property
 * {@code axc.cpu.weights} or the environment variable {@code AXC_CPU_WEIGHTS} ({@code copy} or
 * {@code mapped}). Repacked matrices, which are copies either way, always go to large pages.
 *
 * <p>Matrices are carved from shared slabs rather than mapped one by one, so the many small ones of
 * a model (a 0.5B model's 896 x 896 projections are under 1 MB) do not each round up to whole huge
 * pages; a slab lives as long as any matrix carved from it.
 */
final class WeightMemory {
    enum Mode { COPY, MAPPED }

    /** Slab size; a request over a quarter of it gets a mapping of its own. */
    private static final long SLAB = 32L << 20;
    /** The native kernels' widest loads; every carved segment starts on this boundary. */
    private static final long ALIGN = 64;

    /** Copies go in pieces of this size, shared between the pool's threads. */
    private static final int PIECE = 1 << 20;

    private final Mode mode;
    private final RowPool pool;
    private MemorySegment slab;
    private long used;

    WeightMemory(Mode mode) {
        this(mode, null);
    }

    /**
     * With a {@code pool}, large copies are split between its threads: most of a copy's time is the
     * kernel clearing the new pages, which each thread does for the pages it touches first.
     */
    WeightMemory(Mode mode, RowPool pool) {
        this.mode = mode;
        this.pool = pool;
    }

    /** The mode the settings ask for: system property, then environment, then {@link Mode#COPY}. */
    static Mode configured() {
        return CpuSetting.configured("axc.cpu.weights", "AXC_CPU_WEIGHTS", WeightMemory::parse, "copy or mapped");
    }

    static Mode parse(String v) {
        if (v == null || v.isBlank()) return Mode.COPY;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "copy" -> Mode.COPY;
            case "mapped", "mmap" -> Mode.MAPPED;
            default -> throw new IllegalArgumentException("cpu weights '" + v + "': use copy or mapped");
        };
    }

    /** The bytes the kernels should read for stored weights {@code data}: a copy, or {@code data} itself. */
    MemorySegment place(MemorySegment data) {
        if (mode == Mode.MAPPED || !data.isNative()) return data;
        MemorySegment copy = allocate(data.byteSize());
        long bytes = data.byteSize();
        int pieces = (int) ((bytes + PIECE - 1) / PIECE);
        if (pool == null || pool.threads() == 1 || pieces < 4) {
            copy.copyFrom(data);
        } else {
            // The pool's threads read the source by address, as the native kernels do: the caller
            // keeps it alive until this returns, and a confined arena's view would refuse them.
            MemorySegment src = MemorySegment.ofAddress(data.address()).reinterpret(bytes);
            pool.run((from, to, worker) -> {
                long at = (long) from * PIECE;
                long len = Math.min(bytes, (long) to * PIECE) - at;
                MemorySegment.copy(src, at, copy, at, len);
            }, pieces, 1);
        }
        return copy;
    }

    /** {@code bytes} of zeroed large-page memory, 64-byte aligned, for weights repacked at load. */
    synchronized MemorySegment allocate(long bytes) {
        if (bytes > SLAB / 4) return LargePages.allocate(bytes);
        long at = (used + ALIGN - 1) & -ALIGN;
        if (slab == null || at + bytes > slab.byteSize()) {
            slab = LargePages.allocate(SLAB);
            at = 0;
        }
        used = at + bytes;
        return slab.asSlice(at, bytes);
    }
}
