package axc.formats.io;

import axc.errors.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What every reader checks before it opens an input. It must be a regular file: opening a named pipe
 * blocks until someone writes to it, and a device such as /dev/zero never ends. A file read whole
 * into memory (JSON, YAML, merges.txt) must also be no larger than its kind ever is, so a wrong or
 * hostile path fails at once instead of filling the heap.
 */
public final class InputFiles {
    /** Larger than any config, index, tokenizer or recipe file in use (the largest tokenizers are ~35 MB). */
    public static final long MAX_TEXT_FILE = 128L << 20;

    private InputFiles() {
    }

    /** Refuses {@code p} unless it exists and is a regular file (links are followed). */
    public static void requireRegular(Path p) {
        if (Files.isRegularFile(p)) return;
        if (!Files.exists(p)) throw InvalidInputException.of(p, "file not found");
        throw InvalidInputException.of(p, Files.isDirectory(p) ? "is a directory, not a regular file" : "is not a regular file");
    }

    /**
     * Refuses {@code file}, found in the model folder {@code dir}, when it is a link whose target lies
     * outside that folder: a downloaded archive could otherwise make axc read any file on the machine.
     * One exception is the Hugging Face cache, whose {@code snapshots/REV/} folders hold links into the
     * cache's own {@code blobs/}; those are followed. {@code blame} is the file the error names.
     */
    public static void requireInside(Path dir, Path file, Path blame, String what) {
        if (!Files.isSymbolicLink(file)) return;
        try {
            Path real = file.toRealPath();
            Path home = dir.toAbsolutePath().toRealPath();
            if (real.startsWith(home)) return;
            Path snapshots = home.getParent();
            if (snapshots != null && snapshots.getFileName() != null && snapshots.getFileName().toString().equals("snapshots")
                    && snapshots.getParent() != null && real.startsWith(snapshots.getParent().resolve("blobs"))) {
                return;
            }
        } catch (NoSuchFileException e) {
            throw InvalidInputException.of(blame, what + " is a link to nothing");
        } catch (IOException e) {
            throw InvalidInputException.of(blame, what + ": cannot resolve link: " + e.getMessage(), e);
        }
        throw InvalidInputException.of(blame, what + " is a link that leaves the checkpoint folder");
    }

    /**
     * {@code dir/name} when the folder holds an entry of that name (a link counts, checked with
     * {@link #requireInside}), else empty: whether it is a readable file is for its reader to say.
     */
    public static Optional<Path> inFolder(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        requireInside(dir, p, p, name);
        return Optional.of(p);
    }

    /** The bytes of a regular file of at most {@code max} bytes. */
    public static byte[] readSmall(Path p, long max) {
        requireRegular(p);
        try {
            long size = Files.size(p);
            if (size > max) throw InvalidInputException.of(p, "file of " + size + " bytes is larger than any such file (" + (max >> 20) + " MiB at most)");
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw InvalidInputException.of(p, "file not found");
        } catch (IOException e) {
            throw InvalidInputException.of(p, "cannot read: " + e.getMessage(), e);
        }
    }

    public static byte[] readSmall(Path p) {
        return readSmall(p, MAX_TEXT_FILE);
    }

    /** A text file of at most {@link #MAX_TEXT_FILE} bytes; bytes that are not UTF-8 become U+FFFD, as Python reads them with errors="replace". */
    public static String readText(Path p) {
        return new String(readSmall(p), StandardCharsets.UTF_8);
    }

    public static List<String> readLines(Path p) {
        return readText(p).lines().toList();
    }
}
