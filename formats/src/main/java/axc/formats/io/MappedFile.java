package axc.formats.io;

import axc.errors.InvalidInputException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a whole file read-only into a shared arena and hands it to a reader that validates it and
 * builds the object that owns the arena; if the reader (or the mapping) fails, the arena is closed
 * and the failure becomes a one-line {@link InvalidInputException} naming the file.
 */
public final class MappedFile {
    private MappedFile() {
    }

    @FunctionalInterface
    public interface Reader<T> {
        T read(Arena arena, MemorySegment map);
    }

    /** {@code tooSmall} is the problem reported when the file has fewer than {@code minSize} bytes. */
    public static <T> T open(Path path, long minSize, String tooSmall, Reader<T> reader) {
        InputFiles.requireRegular(path);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < minSize) throw InvalidInputException.of(path, tooSmall + " (" + size + " bytes)");
            return reader.read(arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena));
        } catch (NoSuchFileException e) {
            arena.close();
            throw InvalidInputException.of(path, "file not found");
        } catch (IOException e) {
            arena.close();
            throw InvalidInputException.of(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
