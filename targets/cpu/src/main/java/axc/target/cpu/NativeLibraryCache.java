package axc.target.cpu;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Where JavaCPP unpacks axc's native libraries: a cache directory named for their contents.
 *
 * <p>JavaCPP extracts each library from the jar once and reuses the extracted file while the jar
 * entry's size and time match it. axc's jar is built reproducibly, so every entry carries the same
 * fixed time, and a rebuilt or upgraded library of unchanged size (its length is rounded to pages)
 * was not unpacked again: the old code ran, and a kernel the new Java side asked for was refused.
 * Keying the directory by the bundled libraries' contents (their CRC-32s) makes any change a new
 * directory, and an unchanged build reuse its own.
 */
public final class NativeLibraryCache {
    /** JavaCPP's system property for its cache directory. */
    static final String PROPERTY = "org.bytedeco.javacpp.cachedir";

    private NativeLibraryCache() {
    }

    /**
     * Sets {@link #PROPERTY} for a run from one of axc's jars (the command line's, the benchmarks'), unless
     * the user set it; otherwise leaves JavaCPP's default. Call it before any native library loads:
     * JavaCPP reads the property once.
     */
    public static void configure() {
        if (System.getProperty(PROPERTY) != null || System.getProperty("org.bytedeco.javacpp.cacheDir") != null) return;
        CodeSource source = NativeLibraryCache.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) return;
        try {
            Path jar = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(jar)) return;   // classes on disk: JavaCPP loads them in place
            System.setProperty(PROPERTY, Path.of(System.getProperty("user.home"), ".javacpp", "cache", "axc-" + key(jar)).toString());
        } catch (IOException | URISyntaxException | SecurityException | IllegalArgumentException e) {
            // Without a key JavaCPP's default cache still works; only its reuse rule is the weaker one.
        }
    }

    /**
     * 16 hex digits of a 64-bit FNV-1a hash over the names, sizes and CRC-32s of axc's native libraries
     * in {@code jar}, in name order. The CRC of each entry's bytes is in the jar's directory: hashing
     * the inflated libraries with SHA-256 cost 70 ms of every start (the security providers' set-up
     * included), and a changed library changes its CRC all the same. The key names a cache folder; it
     * guards against stale files, not against an adversary.
     */
    static String key(Path jar) throws IOException {
        List<String> lines = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> en = f.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                if (!e.getName().startsWith("axc/") || !isLibrary(e.getName())) continue;
                if (e.getCrc() < 0 || e.getSize() < 0) throw new IOException(e.getName() + ": no size or CRC in the jar's directory");
                lines.add(e.getName() + " " + e.getSize() + " " + Long.toHexString(e.getCrc()) + "\n");
            }
        }
        Collections.sort(lines);
        long h = 0xcbf29ce484222325L;
        for (String line : lines) {
            for (byte b : line.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return HexFormat.of().toHexDigits(h);
    }

    private static boolean isLibrary(String name) {
        return name.endsWith(".so") || name.endsWith(".dylib") || name.endsWith(".dll");
    }
}
