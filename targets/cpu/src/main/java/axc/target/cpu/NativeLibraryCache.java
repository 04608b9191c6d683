package axc.target.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
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
 * Keying the directory by a SHA-256 of the bundled libraries' bytes makes any change a new
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

    /** 16 hex digits of a SHA-256 over the names and bytes of axc's native libraries in {@code jar}. */
    static String key(Path jar) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (JarFile f = new JarFile(jar.toFile())) {
            List<JarEntry> libs = f.stream().filter(e -> e.getName().startsWith("axc/") && isLibrary(e.getName()))
                    .sorted(Comparator.comparing(JarEntry::getName)).toList();
            for (JarEntry e : libs) {
                sha.update(e.getName().getBytes(StandardCharsets.UTF_8));
                try (InputStream in = f.getInputStream(e)) {
                    sha.update(in.readAllBytes());
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static boolean isLibrary(String name) {
        return name.endsWith(".so") || name.endsWith(".dylib") || name.endsWith(".dll");
    }
}
