package axc.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The POSIX ustar header: encoding for {@link BundleWriter}, decoding with bounds checks for
 * {@link Bundle}. Only regular files are written and accepted; every field axc does not use is a fixed
 * value, so a header is a pure function of (name, size).
 *
 * <p>Layout of a 512-byte header (offset, length): name (0, 100), mode (100, 8), uid (108, 8),
 * gid (116, 8), size (124, 12), mtime (136, 12), chksum (148, 8), typeflag (156, 1), linkname
 * (157, 100), magic (257, 6) {@code "ustar\0"}, version (263, 2) {@code "00"}, uname (265, 32),
 * gname (297, 32), devmajor (329, 8), devminor (337, 8), prefix (345, 155), padding (500, 12).
 */
final class Tar {
    static final int BLOCK = 512;
    /** Largest size the 11 octal digits of a ustar size field hold: 8 GiB - 1. */
    static final long MAX_OCTAL_SIZE = 077777777777L;
    /** Largest size of the base-256 size field (GNU extension, used only above {@link #MAX_OCTAL_SIZE}). */
    static final long MAX_SIZE = Long.MAX_VALUE - 2 * BLOCK;

    static final int NAME = 0, NAME_LEN = 100;
    static final int MODE = 100, UID = 108, GID = 116, SIZE = 124, MTIME = 136, CHKSUM = 148;
    static final int TYPEFLAG = 156, LINKNAME = 157, MAGIC = 257, VERSION = 263;
    static final int UNAME = 265, GNAME = 297, DEVMAJOR = 329, DEVMINOR = 337;
    static final int PREFIX = 345, PREFIX_LEN = 155;
    static final int FILE_MODE = 0644;

    private static final byte[] MAGIC_BYTES = {'u', 's', 't', 'a', 'r', 0};
    private static final byte[] VERSION_BYTES = {'0', '0'};

    private Tar() {
    }

    /** Offset rounded up to the next block boundary. */
    static long padded(long n) {
        return Math.addExact(n, BLOCK - 1) & -BLOCK;
    }

    /** The header of a regular file {@code name} (already validated by {@link EntryName}) of {@code size} bytes. */
    static byte[] header(String name, long size) {
        if (size < 0 || size > MAX_SIZE) throw new IllegalArgumentException(name + ": size " + size + " out of range");
        byte[] h = new byte[BLOCK];
        String[] split = EntryName.split(name);
        put(h, PREFIX, PREFIX_LEN, split[0]);
        put(h, NAME, NAME_LEN, split[1]);
        octal(h, MODE, 8, FILE_MODE);
        octal(h, UID, 8, 0);
        octal(h, GID, 8, 0);
        if (size <= MAX_OCTAL_SIZE) {
            octal(h, SIZE, 12, size);
        } else {
            base256(h, SIZE, 12, size);
        }
        octal(h, MTIME, 12, 0);
        h[TYPEFLAG] = '0';
        System.arraycopy(MAGIC_BYTES, 0, h, MAGIC, 6);
        System.arraycopy(VERSION_BYTES, 0, h, VERSION, 2);
        octal(h, DEVMAJOR, 8, 0);
        octal(h, DEVMINOR, 8, 0);
        // chksum: six octal digits, NUL, space (the spelling GNU tar and POSIX pax write).
        long sum = checksum(h);
        octal(h, CHKSUM, 7, sum);
        h[CHKSUM + 7] = ' ';
        return h;
    }

    /** Sum of the header's bytes as unsigned values, with the chksum field counted as eight spaces. */
    static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= CHKSUM && i < CHKSUM + 8) ? ' ' : (h[i] & 0xff);
        }
        return sum;
    }

    static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    /** A decoded regular-file header. */
    record Header(String name, long size) {
    }

    /**
     * Decodes and checks one header; a problem is thrown as {@link IllegalArgumentException} with a
     * message the reader turns into its one-line error.
     */
    static Header decode(byte[] h) {
        long stored = parseOctal(h, CHKSUM, 8, "checksum");
        long sum = checksum(h);
        if (stored != sum) {
            throw new IllegalArgumentException("bad header checksum (stored " + stored + ", computed " + sum + ")");
        }
        if (!Arrays.equals(h, MAGIC, MAGIC + 6, MAGIC_BYTES, 0, 6)
                || !Arrays.equals(h, VERSION, VERSION + 2, VERSION_BYTES, 0, 2)) {
            throw new IllegalArgumentException("not a POSIX ustar header (magic/version)");
        }
        String name = string(h, NAME, NAME_LEN);
        String prefix = string(h, PREFIX, PREFIX_LEN);
        String full = prefix.isEmpty() ? name : prefix + "/" + name;
        byte type = h[TYPEFLAG];
        if (type != '0' && type != 0) {
            throw new IllegalArgumentException("entry '" + full + "' has type '" + printable(type)
                    + "'; only regular files are allowed");
        }
        parseOctal(h, MODE, 8, "mode");
        parseOctal(h, MTIME, 12, "mtime");
        long size = (h[SIZE] & 0x80) != 0 ? parseBase256(h, SIZE, 12) : parseOctal(h, SIZE, 12, "size");
        if (size > MAX_SIZE) throw new IllegalArgumentException("entry '" + full + "' size " + size + " out of range");
        return new Header(full, size);
    }

    // ---- fields

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        if (b.length > len) throw new IllegalArgumentException("'" + s + "' does not fit " + len + " bytes");
        System.arraycopy(b, 0, h, off, b.length);
    }

    /** {@code len - 1} zero-padded octal digits and a NUL. */
    static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (v < 0 || s.length() > len - 1) throw new IllegalArgumentException(v + " does not fit " + (len - 1) + " octal digits");
        int pad = len - 1 - s.length();
        for (int i = 0; i < pad; i++) h[off + i] = '0';
        for (int i = 0; i < s.length(); i++) h[off + pad + i] = (byte) s.charAt(i);
        h[off + len - 1] = 0;
    }

    /** GNU base-256: the first byte's high bit set, the value big-endian in the remaining bytes. */
    static void base256(byte[] h, int off, int len, long v) {
        Arrays.fill(h, off, off + len, (byte) 0);
        h[off] = (byte) 0x80;
        for (int i = len - 1; i > 0 && v != 0; i--) {
            h[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long parseBase256(byte[] h, int off, int len) {
        if ((h[off] & 0xff) != 0x80) throw new IllegalArgumentException("negative or malformed base-256 size field");
        long v = 0;
        for (int i = 1; i < len; i++) {
            if ((v >>> 55) != 0) throw new IllegalArgumentException("base-256 size field overflows");
            v = (v << 8) | (h[off + i] & 0xff);
        }
        return v;
    }

    /**
     * Octal digits, optionally preceded by spaces and ended by NUL or space (what POSIX readers accept);
     * an empty or non-octal field is an error.
     */
    static long parseOctal(byte[] h, int off, int len, String field) {
        int i = off, end = off + len;
        while (i < end && h[i] == ' ') i++;
        long v = 0;
        int digits = 0;
        for (; i < end; i++) {
            byte c = h[i];
            if (c >= '0' && c <= '7') {
                if ((v >>> 60) != 0) throw new IllegalArgumentException(field + " field overflows");
                v = (v << 3) | (c - '0');
                digits++;
            } else if (c == 0 || c == ' ') {
                break;
            } else {
                throw new IllegalArgumentException(field + " field is not octal ('" + printable(c) + "')");
            }
        }
        for (; i < end; i++) {
            if (h[i] != 0 && h[i] != ' ') throw new IllegalArgumentException(field + " field has bytes after its terminator");
        }
        if (digits == 0) throw new IllegalArgumentException(field + " field is empty");
        return v;
    }

    private static String string(byte[] h, int off, int len) {
        int n = 0;
        while (n < len && h[off + n] != 0) n++;
        for (int i = off + n; i < off + len; i++) {
            if (h[i] != 0) throw new IllegalArgumentException("name field has bytes after its NUL");
        }
        return new String(h, off, n, StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
