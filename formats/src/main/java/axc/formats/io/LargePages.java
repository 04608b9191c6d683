package axc.formats.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Memory that a kernel streams through once per token, on 2 MiB pages where the operating system
 * gives them. A decode step reads every weight once, and on 4 KiB pages that is a TLB miss every
 * 4 KiB; on this project's 2-core host a Q8_0 0.5B decode ran about 7% faster from transparent
 * huge pages than from the mapped file (docs/performance.md). The JDK's {@link Arena#allocate} zeroes
 * what it returns, which faults every page in at 4 KiB before anyone could ask for large ones, so
 * on Linux the memory is mapped here directly, advised {@code MADV_HUGEPAGE}, and unmapped when
 * the segment becomes unreachable. Elsewhere, or when the mapping is refused, it is ordinary
 * native memory: the contents and the alignment are the same either way, only the speed differs.
 */
public final class LargePages {
    /** The page size asked for, and the alignment of every segment returned. */
    public static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;
    private static final Native LINUX = Native.load();

    private LargePages() {
    }

    /** Whether segments come from huge-page-advised mappings here (Linux with the C library's mmap). */
    public static boolean mapped() {
        return LINUX != null;
    }

    /**
     * {@code bytes} of zeroed native memory aligned to {@link #HUGE}, freed when the returned segment
     * (and every slice of it) is unreachable.
     */
    public static MemorySegment allocate(long bytes) {
        return allocate(bytes, Arena.ofAuto());
    }

    /** {@code bytes} of zeroed native memory aligned to {@link #HUGE}, freed when {@code arena} closes. */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (bytes < 0) throw new IllegalArgumentException("negative size " + bytes);
        if (LINUX != null) {
            Optional<MemorySegment> m = LINUX.map(Math.max(bytes, 1), arena);
            if (m.isPresent()) return m.get().asSlice(0, bytes);
        }
        return arena.allocate(Math.max(bytes, 1), HUGE).asSlice(0, bytes);
    }

    /** The three C library calls, bound once. */
    private record Native(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Native load() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) return null;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
                return new Native(
                        linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, l, i, i, i, l)),
                        linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(i, ValueLayout.ADDRESS, l, i)),
                        linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(i, ValueLayout.ADDRESS, l)));
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        /**
         * Maps {@code bytes} rounded up to whole huge pages, plus one for alignment, and returns the
         * aligned part; empty if mmap refused (MAP_FAILED is -1).
         */
        Optional<MemorySegment> map(long bytes, Arena arena) {
            long span = (bytes + HUGE - 1) & -HUGE;
            long len = span + HUGE;
            try {
                MemorySegment base = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, len, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (base.address() == -1L || base.address() == 0L) return Optional.empty();
                MethodHandle unmap = munmap;
                MemorySegment owned = base.reinterpret(len, arena, s -> release(unmap, s, len));
                long skip = ((base.address() + HUGE - 1) & -HUGE) - base.address();
                MemorySegment aligned = owned.asSlice(skip, span);
                // Advice refused (a kernel without transparent huge pages) leaves ordinary pages: still correct.
                int ignored = (int) madvise.invokeExact(aligned, span, MADV_HUGEPAGE);
                return Optional.of(aligned);
            } catch (Throwable e) {
                return Optional.empty();
            }
        }

        private static void release(MethodHandle munmap, MemorySegment s, long len) {
            try {
                int ignored = (int) munmap.invokeExact(s, len);
            } catch (Throwable e) {
                // Nothing can be done from a cleaner; the mapping stays until the process ends.
            }
        }
    }
}
