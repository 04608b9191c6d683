package axc.cli.malformed;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes ustar archives entry by entry with nothing checked, so a test can put in names, types and
 * sizes no archiver of ours would write: {@code ..}, absolute paths, links, lying sizes.
 */
final class TarBytes {
    static final char FILE = '0', HARD_LINK = '1', SYMLINK = '2';
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarBytes entry(String name, byte[] data) {
        return entry(name, FILE, "", data.length, data);
    }

    /** One header declaring {@code size}, then {@code data} padded to whole 512-byte blocks. */
    TarBytes entry(String name, char type, String link, long size, byte[] data) {
        out.writeBytes(header(name, type, link, String.format("%011o", size)));
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    TarBytes raw(byte[] block) {
        out.writeBytes(block);
        return this;
    }

    /** The two zero blocks that end an archive. */
    byte[] end() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    static byte[] header(String name, char type, String link, String size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, size);
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 157, link);
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
