package axc.formats.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and segments, streamed in chunks. */
public final class Sha256 {
    private static final long CHUNK = 16L << 20;

    private Sha256() {
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            if (ch.size() == 0) return hex(digest().digest());
            return of(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot hash: " + e.getMessage(), e);
        }
    }

    public static String of(MemorySegment seg) {
        MessageDigest md = digest();
        update(md, seg);
        return hex(md.digest());
    }

    public static void update(MessageDigest md, MemorySegment seg) {
        for (long pos = 0; pos < seg.byteSize(); pos += CHUNK) {
            md.update(seg.asSlice(pos, Math.min(CHUNK, seg.byteSize() - pos)).asByteBuffer());
        }
    }

    public static String of(byte[] bytes) {
        return hex(digest().digest(bytes));
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
