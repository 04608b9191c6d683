package axc.bundle;

import axc.formats.io.AtomicOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers artifacts whose every entry already matched its sha256, so opening an unchanged artifact
 * again skips hashing gigabytes of weights. An artifact is known by a key of its real path, size,
 * modification time (nanoseconds), file key (device and inode on Linux) and the sha256 of its
 * manifest; replacing, rewriting, appending to or touching the file changes the key, and the artifact
 * is hashed again.
 *
 * <p>Keys live in memory for the process and, one per line, in a small text file, by default
 * {@code $XDG_CACHE_HOME/axc/verified} or {@code ~/.cache/axc/verified}. The system property
 * {@code axc.verify.cache} names another file, or {@code off} to disable the cache. The file is
 * advisory: lines it cannot parse are ignored, failures to write it are ignored, and when it grows past
 * {@value #MAX_BYTES} bytes it is rewritten with its newest half.
 *
 * <p>The cache guards against corruption and accidental edits, not against someone who can write both
 * the artifact and the cache file and restores the modification time: {@code axc} re-hashes when asked
 * to with a fresh cache ({@link #none()}).
 */
public final class VerificationCache {
    static final int MAX_BYTES = 256 << 10;
    private static final String VERSION = "v1";

    private static volatile VerificationCache defaultCache;

    private final Path file;
    private final boolean enabled;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    private VerificationCache(Path file, boolean enabled) {
        this.file = file;
        this.enabled = enabled;
    }

    /** A cache kept in {@code file} (and in memory). */
    public static VerificationCache at(Path file) {
        return new VerificationCache(file.toAbsolutePath(), true);
    }

    /** No cache: every {@link Bundle#verify()} hashes every entry. */
    public static VerificationCache none() {
        return new VerificationCache(null, false);
    }

    /** The per-user cache described in the class comment; one instance per process. */
    public static VerificationCache defaultCache() {
        VerificationCache c = defaultCache;
        if (c == null) {
            synchronized (VerificationCache.class) {
                c = defaultCache;
                if (c == null) defaultCache = c = fromEnvironment();
            }
        }
        return c;
    }

    private static VerificationCache fromEnvironment() {
        String prop = System.getProperty("axc.verify.cache");
        if ("off".equals(prop)) return none();
        if (prop != null && !prop.isEmpty()) return at(Path.of(prop));
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return at(base.resolve("axc").resolve("verified"));
    }

    /** The file the keys are kept in; null when the cache is disabled. */
    public Path file() {
        return file;
    }

    boolean contains(String key) {
        if (!enabled || key == null) return false;
        if (known.contains(key)) return true;
        if (!Files.isRegularFile(file)) return false;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.equals(key)) {
                    known.add(key);
                    return true;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Unreadable (or not UTF-8): treat as empty.
        }
        return false;
    }

    void add(String key) {
        if (!enabled || key == null) return;
        known.add(key);
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, (key + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            if (Files.size(file) > MAX_BYTES) compact();
        } catch (IOException | RuntimeException e) {
            // Advisory: the artifact was verified; it is just hashed again next time.
        }
    }

    private void compact() throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> keep = lines.subList(lines.size() / 2, lines.size());
        AtomicOutput.writeFile(file, temp -> Files.write(temp, keep, StandardCharsets.UTF_8));
    }

    /**
     * The key of an artifact, or null when it cannot be one line. Fields are tab-separated, the path last
     * so a tab inside it keeps the line unambiguous.
     */
    static String key(Path realPath, long size, long mtimeNanos, Object fileKey, String manifestSha256) {
        String p = realPath.toString();
        if (p.indexOf('\n') >= 0 || p.indexOf('\r') >= 0) return null;
        String fk = fileKey == null ? "-" : fileKey.toString().replace('\t', ' ').replace('\n', ' ');
        return VERSION + '\t' + manifestSha256 + '\t' + size + '\t' + mtimeNanos + '\t' + fk + '\t' + p;
    }
}
