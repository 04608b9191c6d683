package axc.bundle;

import axc.formats.io.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An artifact over 4 GiB opens and its entries are read in place, past the 2 GiB and 4 GiB marks. The
 * file is sparse: the 3 GiB entry is a hole, so it costs no disk and no time (its placeholder hash is
 * never checked). The layout is the writer's own ({@link BundleWriter#plan}, {@link Tar#header}).
 */
class LargeBundleTest {
    private static final long BIG = (3L << 30) + 100;

    @TempDir
    Path dir;

    @Test
    void entriesPastFourGibAreSlicesOfTheMapping() throws IOException {
        byte[] tail = Fixtures.random(5, 1000);
        Manifest planned = BundleWriter.plan(Fixtures.emptyManifest(),
                List.of(Map.entry("big", BIG), Map.entry("mid", BIG), Map.entry("tail", (long) tail.length)));
        Manifest.Entry big = planned.entries().get(0);
        Manifest.Entry mid = planned.entries().get(1);
        Manifest.Entry t = planned.entries().get(2);
        Manifest m = planned.withEntries(List.of(big, mid,
                new Manifest.Entry("tail", t.offset(), t.size(), Sha256.of(tail))));
        byte[] json = m.toJson();
        Path axc = dir.resolve("large.axc");
        long end = BundleWriter.endOfData(m);
        try (FileChannel ch = FileChannel.open(axc, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            write(ch, 0, Tar.header(Manifest.NAME, json.length));
            write(ch, 512, json);
            write(ch, big.offset() - 512, Tar.header("big", BIG));
            write(ch, mid.offset() - 512, Tar.header("mid", BIG));
            write(ch, mid.offset() + 12345, new byte[] {42});
            write(ch, t.offset() - 512, Tar.header("tail", tail.length));
            write(ch, t.offset(), tail);
            write(ch, end, new byte[1024]);
        }
        assertEquals(end + 1024, Files.size(axc));
        assertTrue(t.offset() > 6L << 30, "the last entry lies past 6 GiB");

        try (Bundle b = Bundle.open(axc, VerificationCache.none())) {
            assertEquals(m, b.manifest());
            assertEquals(end + 1024, b.fileSize());
            MemorySegment s = b.data("mid");
            assertEquals(BIG, s.byteSize());
            assertEquals(42, s.get(ValueLayout.JAVA_BYTE, 12345));
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, BIG - 1));
            assertEquals(0, b.data("big").get(ValueLayout.JAVA_BYTE, (1L << 31) + 3));
            assertArrayEquals(tail, b.bytes("tail"));
        }
    }

    private static void write(FileChannel ch, long pos, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }
}
