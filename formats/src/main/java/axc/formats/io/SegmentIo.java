package axc.formats.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Moves bytes between mapped segments and channels in chunks, so segments over 2 GiB work. */
public final class SegmentIo {
    private static final long CHUNK = 64L << 20;

    private SegmentIo() {
    }

    public static void write(WritableByteChannel out, MemorySegment seg) throws IOException {
        for (long pos = 0; pos < seg.byteSize(); pos += CHUNK) {
            ByteBuffer b = seg.asSlice(pos, Math.min(CHUNK, seg.byteSize() - pos)).asByteBuffer();
            while (b.hasRemaining()) out.write(b);
        }
    }

    public static void write(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }
}
