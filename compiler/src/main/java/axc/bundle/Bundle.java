package axc.bundle;

import axc.errors.InvalidInputException;
import axc.formats.io.Sha256;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compiled artifact opened for use: the file is mapped once and every entry is a slice of that
 * mapping, never a copy. Files over 2 GiB work (offsets are {@code long} throughout).
 *
 * <p>{@link #open} checks the structure before anything is used: every tar header (checksum, ustar
 * magic, regular-file type, octal fields, name rules, data inside the file), the manifest (format,
 * schema), and that the archive holds exactly the manifest's entries, in its order, at its offsets and
 * with its sizes, followed by the end-of-archive marker. A problem is an {@link InvalidInputException}
 * with one line naming the file and what is wrong. Contents are checked against their sha256 only by
 * {@link #verify()}, which a {@link VerificationCache} lets an unchanged artifact skip.
 *
 * <p>Slices stay valid until {@link #close()}; they may be read from any thread.
 */
public final class Bundle implements AutoCloseable {
    /** Largest manifest a reader accepts: far above any real one, low enough to refuse garbage quickly. */
    static final long MAX_MANIFEST = 256L << 20;
    /** Header + one block of manifest + end-of-archive marker. */
    static final long MIN_SIZE = 4L * Tar.BLOCK;
    /** Where the second target of a partitioned artifact keeps its entries: {@code part/<id>/...}. */
    static final String PARTS = "part/";
    /** Folders the artifact's own target writes (DESIGN.md: target-packed weights, target-owned code). */
    private static final List<String> TARGET_OWNED = List.of("weights/", "code/");

    /** How {@link #verify()} knew the contents were intact. */
    public enum Verification {
        /** Every entry was hashed and matched. */
        HASHED,
        /** The cache held this unchanged artifact from an earlier verification. */
        CACHED
    }

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapped;
    private final Manifest manifest;
    private final String manifestSha256;
    private final VerificationCache cache;
    private final String cacheKey;
    private final Path realPath;
    /** Null for the whole artifact; for a {@link #part} view, the folder of that target's own entries ({@code part/<id>/}). */
    private final String part;

    private Bundle(Path file, Arena arena, MemorySegment mapped, Manifest manifest, String manifestSha256,
                   VerificationCache cache, String cacheKey, Path realPath) {
        this(file, arena, mapped, manifest, manifestSha256, cache, cacheKey, realPath, null);
    }

    private Bundle(Path file, Arena arena, MemorySegment mapped, Manifest manifest, String manifestSha256,
                   VerificationCache cache, String cacheKey, Path realPath, String part) {
        this.part = part;
        this.file = file;
        this.arena = arena;
        this.mapped = mapped;
        this.manifest = manifest;
        this.manifestSha256 = manifestSha256;
        this.cache = cache;
        this.cacheKey = cacheKey;
        this.realPath = realPath;
    }

    /** Opens {@code file} with the per-user {@link VerificationCache#defaultCache() verification cache}. */
    public static Bundle open(Path file) {
        return open(file, VerificationCache.defaultCache());
    }

    /** Opens and checks {@code file}; {@code cache} decides whether {@link #verify()} may skip hashing. */
    public static Bundle open(Path file, VerificationCache cache) {
        BasicFileAttributes attrs;
        Path real;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw InvalidInputException.of(file, "file not found");
        } catch (IOException e) {
            throw InvalidInputException.of(file, "cannot read: " + e.getMessage(), e);
        }
        if (!attrs.isRegularFile()) throw InvalidInputException.of(file, "is not a regular file");
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < MIN_SIZE) {
                    throw InvalidInputException.of(file, "truncated or not an axc artifact: " + size
                            + " bytes, the smallest artifact has " + MIN_SIZE);
                }
                mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            byte[] manifestBytes = manifestBytes(file, mapped);
            Manifest manifest = Manifest.parse(manifestBytes, file);
            checkArchive(file, mapped, manifest, Tar.BLOCK + Tar.padded(manifestBytes.length));
            String manifestSha = Sha256.of(manifestBytes);
            String key = VerificationCache.key(real, mapped.byteSize(), nanos(attrs.lastModifiedTime().toInstant()),
                    attrs.fileKey(), manifestSha);
            return new Bundle(file, arena, mapped, manifest, manifestSha, cache, key, real);
        } catch (IOException e) {
            arena.close();
            throw InvalidInputException.of(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The file this bundle was opened from. */
    public Path path() {
        return file;
    }

    /** Size of the whole file in bytes. */
    public long fileSize() {
        return mapped.byteSize();
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The sha256 of the manifest's bytes: identifies the artifact's contents (it lists every entry's hash). */
    public String manifestSha256() {
        return manifestSha256;
    }

    /** Entry names other than the manifest, in archive (sorted) order; in a {@link #part} view, the names that view sees. */
    public List<String> names() {
        List<String> all = manifest.entries().stream().map(Manifest.Entry::name).toList();
        if (part == null) return all;
        TreeSet<String> seen = new TreeSet<>();
        for (String n : all) {
            if (n.startsWith(part)) seen.add(n.substring(part.length()));
            else if (!ownedByTarget(n)) seen.add(n);
        }
        return List.copyOf(seen);
    }

    public boolean contains(String name) {
        return entry(name).isPresent();
    }

    /** The bytes of entry {@code name}: a read-only slice of the mapping, starting on a 512-byte boundary. */
    public MemorySegment data(String name) {
        Manifest.Entry e = entry(name).orElseThrow(
                () -> InvalidInputException.of(file, "has no entry '" + (part == null ? name : part + name) + "'"));
        return mapped.asSlice(e.offset(), e.size());
    }

    /** Folder of target {@code id}'s own entries in a partitioned artifact (see {@link #part}). */
    public static String partFolder(String id) {
        return PARTS + id + "/";
    }

    /**
     * The artifact as a second target of a partitioned artifact sees it: the shared entries (config,
     * tokenizer, graph, golden vectors, ...) plus that target's own entries, stored under
     * {@code part/<id>/} and seen without the prefix. The artifact's target owns {@code weights/} and
     * {@code code/}, so those are hidden from the view: a target never reads another's packed layout by
     * accident. Shares this bundle's mapping; closing the view does nothing.
     */
    public Bundle part(String id) {
        if (part != null) throw new IllegalStateException("already a view of part " + part);
        String p = partFolder(id);
        String problem = EntryName.problem(p + "x");
        if (problem != null) throw new IllegalArgumentException("target id '" + id + "': " + problem);
        return new Bundle(file, arena, mapped, manifest, manifestSha256, cache, cacheKey, realPath, p);
    }

    /** The entry {@code name} resolves to: in a part view, the part's own entry first, else a shared one. */
    private Optional<Manifest.Entry> entry(String name) {
        if (part == null) return manifest.entry(name);
        Optional<Manifest.Entry> own = manifest.entry(part + name);
        if (own.isPresent() || ownedByTarget(name)) return own;
        return manifest.entry(name);
    }

    private static boolean ownedByTarget(String name) {
        return name.startsWith(PARTS) || TARGET_OWNED.stream().anyMatch(name::startsWith);
    }

    /** A copy of a small entry's bytes (config, tokenizer, golden prompts). */
    public byte[] bytes(String name) {
        MemorySegment s = data(name);
        if (s.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("entry '" + name + "' is too large to copy (" + s.byteSize() + " bytes)");
        }
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Checks every entry against the sha256 the manifest lists. An artifact that the cache knows in its
     * current state (same path, size, mtime, inode and manifest) is not hashed again. A mismatch is an
     * {@link InvalidInputException} naming the entry.
     */
    public Verification verify() {
        if (cache.contains(cacheKey)) return Verification.CACHED;
        for (Manifest.Entry e : manifest.entries()) {
            String actual = Sha256.of(mapped.asSlice(e.offset(), e.size()));
            if (!actual.equals(e.sha256())) {
                throw InvalidInputException.of(file, "entry '" + e.name() + "' is corrupt: its sha256 is " + actual
                        + " but manifest.json lists " + e.sha256() + "; rebuild or re-copy the artifact");
            }
        }
        if (unchangedSinceOpen()) cache.add(cacheKey);
        return Verification.HASHED;
    }

    /** Records the artifact as verified only if nothing touched it while it was being hashed. */
    private boolean unchangedSinceOpen() {
        try {
            BasicFileAttributes now = Files.readAttributes(realPath, BasicFileAttributes.class);
            String key = VerificationCache.key(realPath, now.size(), nanos(now.lastModifiedTime().toInstant()),
                    now.fileKey(), manifestSha256);
            return key != null && key.equals(cacheKey);
        } catch (IOException e) {
            return false;
        }
    }

    /** Unmaps the file; slices from {@link #data} must not be used afterwards. A {@link #part} view leaves the mapping to its artifact. */
    @Override
    public void close() {
        if (part == null) arena.close();
    }

    // ---- structure checks

    private static byte[] manifestBytes(Path file, MemorySegment mapped) {
        Tar.Header h = header(file, mapped, 0);
        if (!h.name().equals(Manifest.NAME)) {
            throw InvalidInputException.of(file, "first entry is '" + h.name() + "', not " + Manifest.NAME
                    + ": not an axc artifact");
        }
        if (h.size() > MAX_MANIFEST) {
            throw InvalidInputException.of(file, Manifest.NAME + " claims " + h.size() + " bytes, more than the "
                    + MAX_MANIFEST + " a reader accepts");
        }
        if (h.size() > mapped.byteSize() - Tar.BLOCK) {
            throw InvalidInputException.of(file, "truncated: " + Manifest.NAME + " needs " + h.size()
                    + " bytes at offset 512, the file has " + mapped.byteSize());
        }
        return mapped.asSlice(Tar.BLOCK, h.size()).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Walks the headers after the manifest and checks they are exactly the manifest's entries, each at
     * its listed offset with its listed size, then the end-of-archive marker and nothing but zeros.
     */
    private static void checkArchive(Path file, MemorySegment mapped, Manifest manifest, long start) {
        long size = mapped.byteSize();
        List<Manifest.Entry> listed = manifest.entries();
        Set<String> seen = new HashSet<>();
        long pos = start;
        int i = 0;
        while (true) {
            if (pos > size - Tar.BLOCK) {
                throw InvalidInputException.of(file, "truncated: the file ends at " + size + " bytes, inside "
                        + (i < listed.size() ? "entry '" + listed.get(i).name() + "'" : "the end-of-archive marker"));
            }
            if (isZero(mapped, pos, Tar.BLOCK)) break;
            Tar.Header h = header(file, mapped, pos);
            long data = pos + Tar.BLOCK;
            if (!seen.add(h.name()) || h.name().equals(Manifest.NAME)) {
                throw InvalidInputException.of(file, "duplicate entry '" + h.name() + "' at offset " + data);
            }
            if (h.size() > size - data) {
                throw InvalidInputException.of(file, "truncated: entry '" + h.name() + "' needs " + h.size()
                        + " bytes at offset " + data + ", the file has " + size);
            }
            if (i >= listed.size()) {
                throw InvalidInputException.of(file, "entry '" + h.name() + "' at offset " + data
                        + " is not listed in " + Manifest.NAME);
            }
            Manifest.Entry e = listed.get(i);
            if (!e.name().equals(h.name())) {
                throw InvalidInputException.of(file, "entry '" + h.name() + "' at offset " + data + " does not match "
                        + Manifest.NAME + ", which lists '" + e.name() + "' next");
            }
            if (e.offset() != data) {
                throw InvalidInputException.of(file, Manifest.NAME + " lists entry '" + e.name() + "' at offset "
                        + e.offset() + ", the archive has it at " + data);
            }
            if (e.size() != h.size()) {
                throw InvalidInputException.of(file, Manifest.NAME + " lists entry '" + e.name() + "' with "
                        + e.size() + " bytes, the archive has " + h.size());
            }
            pos = Tar.padded(data + h.size());
            i++;
        }
        if (i < listed.size()) {
            throw InvalidInputException.of(file, "entry '" + listed.get(i).name() + "' listed in " + Manifest.NAME
                    + " is missing from the archive (it ends at offset " + pos + ")");
        }
        if (pos > size - 2 * Tar.BLOCK || !isZero(mapped, pos + Tar.BLOCK, Tar.BLOCK)) {
            throw InvalidInputException.of(file, "truncated: the end-of-archive marker at offset " + pos + " is incomplete");
        }
        long tail = pos + 2 * Tar.BLOCK;
        if ((size - tail) % Tar.BLOCK != 0 || !isZero(mapped, tail, size - tail)) {
            throw InvalidInputException.of(file, "has " + (size - tail) + " bytes of data after the end-of-archive marker");
        }
    }

    private static Tar.Header header(Path file, MemorySegment mapped, long pos) {
        byte[] block = mapped.asSlice(pos, Tar.BLOCK).toArray(ValueLayout.JAVA_BYTE);
        Tar.Header h;
        try {
            h = Tar.decode(block);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.of(file, "header at offset " + pos + ": " + e.getMessage()
                    + (pos == 0 ? "; not an axc artifact" : ""));
        }
        String problem = EntryName.problem(h.name());
        if (problem != null) throw InvalidInputException.of(file, "header at offset " + pos + ": " + problem);
        return h;
    }

    private static boolean isZero(MemorySegment seg, long pos, long len) {
        long end = pos + len;
        long p = pos;
        for (; p + 8 <= end; p += 8) {
            if (seg.get(ValueLayout.JAVA_LONG_UNALIGNED, p) != 0) return false;
        }
        for (; p < end; p++) {
            if (seg.get(ValueLayout.JAVA_BYTE, p) != 0) return false;
        }
        return true;
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }
}
