package axc.formats.io;

import axc.errors.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a file or a directory under a temporary name in the destination folder, forces it to disk and
 * renames it into place, so a crash or a full disk never leaves a half-written output under the final
 * name and never destroys the previous one.
 */
public final class AtomicOutput {
    private AtomicOutput() {
    }

    /** Body that fills a temporary path which will become {@code target}. */
    @FunctionalInterface
    public interface Body {
        void write(Path temp) throws IOException;
    }

    /** Writes one file atomically: {@code body} fills the temp file, then fsync and rename. */
    public static void writeFile(Path target, Body body) {
        Path dir = parentOf(target);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
            body.write(temp);
            publish(temp, FILE_MODE);
            fsync(temp);
            move(temp, target);
            fsyncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException(describe(target, e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /**
     * Writes a directory atomically: {@code body} fills a temp directory beside {@code target}; an
     * existing target is replaced only after the new one is complete.
     */
    public static void writeDirectory(Path target, Body body) {
        Path dir = parentOf(target);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            if (Files.exists(target) && !Files.isDirectory(target)) {
                throw new InvalidInputException(target + ": exists and is not a directory");
            }
            temp = Files.createTempDirectory(dir, "." + target.getFileName() + ".");
            body.write(temp);
            try (Stream<Path> files = Files.walk(temp)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(p)) {
                        publish(p, FILE_MODE);
                        fsync(p);
                    }
                }
            }
            publish(temp, DIR_MODE);
            Path old = null;
            if (Files.exists(target)) {
                old = dir.resolve("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            move(temp, target);
            fsyncDirectory(dir);
            deleteQuietly(old);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new UncheckedIOException(describe(target, e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** Temp files are created private (0600/0700); outputs get the usual modes. */
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private static void publish(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (Files.getFileStore(p).supportsFileAttributeView("posix")) Files.setPosixFilePermissions(p, mode);
    }

    private static String describe(Path target, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (why.contains("No space left")) {
            return target + ": no space left on device; the previous output (if any) is intact";
        }
        // EFBIG and EDQUOT: a file-size limit or a quota ran out, which to the user is a full disk.
        if (why.contains("File too large") || why.contains("quota")) {
            return target + ": out of room (" + why + "); the previous output (if any) is intact";
        }
        return target + ": write failed (" + why + "); the previous output (if any) is intact";
    }

    private static Path parentOf(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.getParent() == null ? abs.getRoot() : abs.getParent();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Not every file system lets a directory be opened for sync; the rename is still atomic.
        }
    }

    /** Removes a file or a directory tree, ignoring errors: used only to clean up temp outputs. */
    public static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
