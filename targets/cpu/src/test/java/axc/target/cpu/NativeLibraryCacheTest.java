package axc.target.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The cache key of the native libraries follows their bytes: two jars whose library entries have the
 * same names, sizes and (fixed, reproducible-build) times but different contents get different keys,
 * which JavaCPP's own size-and-time rule would not tell apart; identical libraries get the same key
 * whatever else the jar holds.
 */
class NativeLibraryCacheTest {
    @TempDir
    Path tmp;

    @Test
    void keyFollowsTheLibrariesBytes() throws IOException {
        byte[] a = new byte[4096];
        byte[] b = a.clone();
        b[1234] = 1;   // same size, one byte apart
        Path ja = jar("a.jar", a, "x");
        Path jb = jar("b.jar", b, "x");
        Path jc = jar("c.jar", a, "a different class file");
        assertNotEquals(NativeLibraryCache.key(ja), NativeLibraryCache.key(jb));
        assertEquals(NativeLibraryCache.key(ja), NativeLibraryCache.key(jc));
        assertEquals(16, NativeLibraryCache.key(ja).length());
    }

    private Path jar(String name, byte[] library, String other) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(p); JarOutputStream jar = new JarOutputStream(os)) {
            put(jar, "axc/target/cpu/linux-x86_64/libjniNativeKernels.so", library);
            put(jar, "axc/Other.class", other.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return p;
    }

    private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
        JarEntry e = new JarEntry(name);
        e.setTime(1767225600000L);   // 2026-01-01, as the reproducible build stamps every entry
        jar.putNextEntry(e);
        jar.write(bytes);
        jar.closeEntry();
    }
}
