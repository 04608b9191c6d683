package axc.bundle;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Header encoding, fixed fields and the arithmetic of large sizes and offsets. */
class TarTest {
    private static String field(byte[] h, int off, int len) {
        return new String(h, off, len, StandardCharsets.US_ASCII);
    }

    @Test
    void headerHasFixedOwnerModeAndTime() {
        byte[] h = Tar.header("weights/a.bin", 1000);
        assertEquals("weights/a.bin", field(h, 0, 13));
        assertEquals("0000644\0", field(h, Tar.MODE, 8));
        assertEquals("0000000\0", field(h, Tar.UID, 8));
        assertEquals("0000000\0", field(h, Tar.GID, 8));
        assertEquals("00000001750\0", field(h, Tar.SIZE, 12));
        assertEquals("00000000000\0", field(h, Tar.MTIME, 12));
        assertEquals('0', h[Tar.TYPEFLAG]);
        assertEquals("ustar\0" + "00", field(h, Tar.MAGIC, 8));
        for (int i = Tar.UNAME; i < Tar.UNAME + 64; i++) assertEquals(0, h[i], "uname/gname must be empty");
        assertEquals(Tar.checksum(h), Tar.parseOctal(h, Tar.CHKSUM, 8, "checksum"));
        assertEquals(new Tar.Header("weights/a.bin", 1000), Tar.decode(h));
    }

    @Test
    void sizesUpToEightGibAreOctalAndLargerAreBase256() {
        long[] sizes = {0, 1, 511, (1L << 31) + 1, 3L << 30, Tar.MAX_OCTAL_SIZE, Tar.MAX_OCTAL_SIZE + 1, 1L << 40, Tar.MAX_SIZE};
        for (long s : sizes) {
            byte[] h = Tar.header("w", s);
            assertEquals(s, Tar.decode(h).size(), "size " + s);
            assertEquals(s > Tar.MAX_OCTAL_SIZE, (h[Tar.SIZE] & 0x80) != 0, "base-256 only above 8 GiB - 1: " + s);
        }
        assertEquals("77777777777\0", field(Tar.header("w", Tar.MAX_OCTAL_SIZE), Tar.SIZE, 12));
    }

    @Test
    void paddingAndPlanHandleOffsetsPastFourGib() {
        assertEquals(0, Tar.padded(0));
        assertEquals(512, Tar.padded(1));
        assertEquals(512, Tar.padded(512));
        assertEquals((5L << 30) + 512, Tar.padded((5L << 30) + 1));
        Manifest base = Fixtures.emptyManifest();
        long big = (3L << 30) + 7;
        Manifest m = BundleWriter.plan(base, List.of(
                Map.entry("a", big), Map.entry("b", big), Map.entry("c", 10L)));
        long manifestEnd = Tar.BLOCK + Tar.padded(m.toJson().length);
        assertEquals(manifestEnd + Tar.BLOCK, m.entries().get(0).offset());
        assertEquals(Tar.padded(m.entries().get(0).offset() + big) + Tar.BLOCK, m.entries().get(1).offset());
        assertEquals(Tar.padded(m.entries().get(1).offset() + big) + Tar.BLOCK, m.entries().get(2).offset());
        assertTrue(m.entries().get(2).offset() > 6L << 30);
        for (Manifest.Entry e : m.entries()) assertEquals(0, e.offset() % 512, e.name());
        assertEquals(Tar.padded(m.entries().get(2).offset() + 10), BundleWriter.endOfData(m));
    }

    @Test
    void badFieldsAreRefused() {
        byte[] h = Tar.header("a", 5);
        h[Tar.SIZE + 3] = '9';
        assertThrows(IllegalArgumentException.class, () -> Tar.decode(h), "checksum catches any change");
        byte[] g = Tar.header("a", 5);
        g[Tar.SIZE + 3] = '9';
        fixChecksum(g);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tar.decode(g));
        assertTrue(e.getMessage().contains("size field is not octal"), e.getMessage());
        byte[] link = Tar.header("a", 0);
        link[Tar.TYPEFLAG] = '2';
        fixChecksum(link);
        e = assertThrows(IllegalArgumentException.class, () -> Tar.decode(link));
        assertTrue(e.getMessage().contains("only regular files"), e.getMessage());
    }

    @Test
    void longNamesUseThePrefixField() {
        String dir = "weights/" + "d".repeat(120);
        String name = dir + "/" + "f".repeat(90);
        byte[] h = Tar.header(name, 0);
        assertEquals(dir, field(h, Tar.PREFIX, dir.length()));
        assertEquals("f".repeat(90), field(h, Tar.NAME, 90));
        assertEquals(name, Tar.decode(h).name());
    }

    static void fixChecksum(byte[] h) {
        Tar.octal(h, Tar.CHKSUM, 7, Tar.checksum(h));
        h[Tar.CHKSUM + 7] = ' ';
    }
}
