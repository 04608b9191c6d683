package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The cpu target's layouts of Q8_0, Q4_0, Q5_0 and Q4_K matrices, written at compile time and streamed by
 * the native kernels. Every layout keeps each row's bytes count (16 rows' bytes for a group of 16), so
 * sizes and row offsets do not change; the artifact's weight index names the layout.
 *
 * <p>{@link #LAYOUT16} (matrices whose rows come in multiples of 16): for each group of 16 rows and
 * each block of 32 columns, the 16 rows' codes interleaved four bytes at a time (64-byte chunk
 * {@code k} holds bytes {@code 4k..4k+3} of every row's block codes, row 0 first; Q8_0 codes stored
 * plus 128, Q4_0 and Q5_0 as llama.cpp's nibble bytes), then for Q5_0 the fifth bits as byte masks
 * of those chunks (per chunk {@code k}: 64 bits for its low nibbles, then 64 for its high ones, bit
 * {@code 4i + j} for byte {@code j} of row {@code i}), then the 16 rows' f16 scales. One int8
 * dot-product instruction then advances all 16 rows, and a block's 16 sums are scaled with one
 * multiply. Q5_0 has only this layout (matrices of other row counts stay as stored), and so has Q4_K,
 * whose groups are laid out per 256 columns (see {@code q4kGroup16}).
 *
 * <p>{@link #LAYOUT} (the rest, and what the float-activation kernels read): each row's block codes back to back (32 bytes per Q8_0 block, 16 per Q4_0 block in
 * llama.cpp's nibble order), then that row's f16 scales. GGUF interleaves a scale before every block;
 * separating them lets the kernels load two blocks' codes and sixteen scales with one instruction
 * each. A packed row has exactly the bytes of the stored row, so sizes and row offsets do not change.
 * The artifact's weight index marks packed tensors with {@link #LAYOUT}.
 */
public final class PackedRows {
    private PackedRows() {
    }

    /** The index's name for the row layout. */
    public static final String LAYOUT = "cpu-rows-v1";
    /** The index's name for the 16-row interleaved layout. */
    public static final String LAYOUT16 = "cpu-rows16-v1";

    /** The layout a {@code rows x cols} matrix of {@code t} is written in, or null for the stored one. */
    public static String layoutFor(DType t, long[] shape) {
        if (!packs(t, shape)) return null;
        return shape[0] % 16 == 0 ? LAYOUT16 : LAYOUT;
    }

    /** Whether {@code t} has {@link #LAYOUT} as well as {@link #LAYOUT16} (Q5_0 and Q4_K have the 16-row one only). */
    public static boolean hasRowLayout(DType t) {
        return t == DType.Q8_0 || t == DType.Q4_0;
    }

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Whether a {@code rows x cols} matrix of {@code t} is written packed. */
    public static boolean packs(DType t, long[] shape) {
        if (shape.length != 2 || shape[1] % 32 != 0 || shape[1] <= 0) return false;
        return hasRowLayout(t) || t == DType.Q5_0 && shape[0] % 16 == 0 || t == DType.Q4_K && shape[0] % 16 == 0 && shape[1] % 256 == 0;
    }

    /** Bytes of a block's codes. */
    static int codeBytes(DType t) {
        return switch (t) {
            case Q8_0 -> 32;
            case Q4_0, Q5_0 -> 16;
            default -> throw new IllegalArgumentException("no packed layout for " + t);
        };
    }

    /** Bytes of a block's fifth bits (Q5_0's {@code qh}), which the 16-row layout keeps as chunk masks. */
    static int highBitBytes(DType t) {
        return t == DType.Q5_0 ? 4 : 0;
    }

    /** Bytes of one block of a 16-row group in {@link #LAYOUT16}: codes, masks, scales. */
    static int groupBlockBytes(DType t) {
        return 16 * (codeBytes(t) + highBitBytes(t) + 2);
    }

    /** Packs {@code rows} stored rows of {@code src} (GGUF blocks) from row {@code r0} into {@code dst} at 0. */
    public static void pack(DType t, int cols, MemorySegment src, long r0, int rows, MemorySegment dst) {
        if (!hasRowLayout(t)) throw new IllegalArgumentException("no row layout for " + t);
        int nb = cols / 32;
        int qsb = codeBytes(t);
        int block = qsb + 2;
        long rowBytes = (long) block * nb;
        for (int r = 0; r < rows; r++) {
            long s = (r0 + r) * rowBytes;
            long d = (long) r * rowBytes;
            for (int b = 0; b < nb; b++) {
                MemorySegment.copy(src, s + (long) block * b + 2, dst, d + (long) qsb * b, qsb);
                dst.set(I16, d + (long) qsb * nb + 2L * b, src.get(I16, s + (long) block * b));
            }
        }
    }

    /** The inverse of {@link #pack}: every row of a packed matrix back in GGUF blocks, in new memory. */
    public static MemorySegment unpack(DType t, int rows, int cols, MemorySegment packed) {
        if (!hasRowLayout(t)) throw new IllegalArgumentException("no row layout for " + t);
        int nb = cols / 32;
        int qsb = codeBytes(t);
        int block = qsb + 2;
        long rowBytes = (long) block * nb;
        MemorySegment out = Arena.ofAuto().allocate(rowBytes * rows, 64);
        for (int r = 0; r < rows; r++) {
            long s = r * rowBytes;
            for (int b = 0; b < nb; b++) {
                out.set(I16, s + (long) block * b, packed.get(I16, s + (long) qsb * nb + 2L * b));
                MemorySegment.copy(packed, s + (long) qsb * b, out, s + (long) block * b + 2, qsb);
            }
        }
        return out;
    }

    /** Packs rows {@code [r0, r0 + rows)} (multiples of 16) of {@code src} (GGUF blocks) into {@link #LAYOUT16} at {@code dst}. */
    public static void pack16(DType t, int cols, MemorySegment src, long r0, int rows, MemorySegment dst) {
        if (r0 % 16 != 0 || rows % 16 != 0) throw new IllegalArgumentException("16-row groups: rows " + r0 + " + " + rows);
        if (t == DType.Q4_K) q4kGroup16(cols, src, r0, rows, dst, true);
        else group16(t, cols, src, r0, rows, dst, true);
    }

    /** The inverse of {@link #pack16}: a whole {@link #LAYOUT16} matrix back in GGUF blocks, in new memory. */
    public static MemorySegment unpack16(DType t, int rows, int cols, MemorySegment packed) {
        MemorySegment out = Arena.ofAuto().allocate(t.bytesFor(cols) * rows, 64);
        if (t == DType.Q4_K) q4kGroup16(cols, out, 0, rows, packed, false);
        else group16(t, cols, out, 0, rows, packed, false);
        return out;
    }

    /**
     * Moves every byte between GGUF blocks ({@code blocks}, from row {@code r0}) and {@link #LAYOUT16}
     * ({@code grouped}, from 0): packing when {@code pack}, else unpacking. One mapping, both ways.
     */
    private static void group16(DType t, int cols, MemorySegment blocks, long r0, int rows, MemorySegment grouped, boolean pack) {
        int nb = cols / 32;
        int qsb = codeBytes(t);
        int hb = highBitBytes(t);
        int block = 2 + hb + qsb;
        long rowBytes = (long) block * nb;
        int flip = t == DType.Q8_0 ? 0x80 : 0;
        byte[] masks = new byte[16 * hb];
        for (int g = 0; g < rows; g += 16) {
            for (int b = 0; b < nb; b++) {
                long o = (long) g * rowBytes + (long) groupBlockBytes(t) * b;
                long masksAt = o + 16L * qsb, scalesAt = masksAt + 16L * hb;
                if (!pack && hb > 0) MemorySegment.copy(grouped, ValueLayout.JAVA_BYTE, masksAt, masks, 0, masks.length);
                for (int i = 0; i < 16; i++) {
                    long s = (r0 + g + i) * rowBytes + (long) block * b;
                    for (int k = 0; k < qsb / 4; k++) {
                        for (int j = 0; j < 4; j++) {
                            long at = o + 64L * k + 4L * i + j, from = s + 2 + hb + 4L * k + j;
                            if (pack) grouped.set(ValueLayout.JAVA_BYTE, at, (byte) (blocks.get(ValueLayout.JAVA_BYTE, from) ^ flip));
                            else blocks.set(ValueLayout.JAVA_BYTE, from, (byte) (grouped.get(ValueLayout.JAVA_BYTE, at) ^ flip));
                        }
                    }
                    if (hb > 0) {
                        // qh bit 4k + j (low nibble of byte j of chunk k) <-> mask bit 4i + j of chunk k's low mask;
                        // bit 16 + 4k + j (its high nibble) <-> the same bit of the high mask.
                        int qh = pack ? blocks.get(LE32, s + 2) : 0;
                        for (int bit = 0; bit < 32; bit++) {
                            int half = bit / 16, k = bit % 16 / 4, j = bit % 4;
                            int m = 64 * (2 * k + half) + 4 * i + j;
                            if (pack && (qh >>> bit & 1) != 0) masks[m >> 3] |= (byte) (1 << (m & 7));
                            if (!pack && (masks[m >> 3] >> (m & 7) & 1) != 0) qh |= 1 << bit;
                        }
                        if (!pack) blocks.set(LE32, s + 2, qh);
                    }
                    if (pack) grouped.set(I16, scalesAt + 2L * i, blocks.get(I16, s));
                    else blocks.set(I16, s, grouped.get(I16, scalesAt + 2L * i));
                }
                if (pack && hb > 0) {
                    MemorySegment.copy(masks, 0, grouped, ValueLayout.JAVA_BYTE, masksAt, masks.length);
                    java.util.Arrays.fill(masks, (byte) 0);
                }
            }
        }
    }

    /**
     * Q4_K's 16-row groups, per 256-column block: the 16 rows' 128 code bytes as 4 runs of 32 (a run's
     * low nibbles are one sub-block, its high nibbles the next) interleaved like the other types' codes
     * (2048 bytes: run j, chunk k at 512j + 64k, bytes 4k..4k+3 of every row's run), then the 16 rows'
     * f16 d, their f16 dmin, and their 12 scale bytes as three arrays of 16 little-endian words, so
     * that 16 rows' 6-bit scales decode in vector lanes. Moves bytes between GGUF blocks ({@code blocks},
     * from row {@code r0}) and the layout ({@code grouped}, from 0), packing when {@code pack}.
     */
    private static void q4kGroup16(int cols, MemorySegment blocks, long r0, int rows, MemorySegment grouped, boolean pack) {
        long rowBytes = 144L * (cols / 256);
        for (int g = 0; g < rows; g += 16) {
            for (int i = 0; i < 16; i++) q4kRow(cols, blocks, (r0 + g + i) * rowBytes, grouped, g * rowBytes, i, pack);
        }
    }

    /** Row {@code i} of the Q4_K group at {@code groupAt}, moved to or from its GGUF blocks at {@code rowAt}. */
    private static void q4kRow(int cols, MemorySegment blocks, long rowAt, MemorySegment grouped, long groupAt, int i, boolean pack) {
        for (int b = 0; b < cols / 256; b++) {
            long o = groupAt + 2304L * b, s = rowAt + 144L * b;
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 8; k++) move(blocks, s + 16 + 32L * j + 4L * k, grouped, o + 512L * j + 64L * k + 4L * i, 4, pack);
            }
            move(blocks, s, grouped, o + 2048 + 2L * i, 2, pack);          // d
            move(blocks, s + 2, grouped, o + 2080 + 2L * i, 2, pack);      // dmin
            for (int w = 0; w < 3; w++) move(blocks, s + 4 + 4L * w, grouped, o + 2112 + 64L * w + 4L * i, 4, pack);   // scale words
        }
    }

    private static void move(MemorySegment blocks, long at, MemorySegment grouped, long groupedAt, int bytes, boolean pack) {
        if (pack) MemorySegment.copy(blocks, at, grouped, groupedAt, bytes);
        else MemorySegment.copy(grouped, groupedAt, blocks, at, bytes);
    }

    /** Row {@code r} of a {@link #LAYOUT16} matrix as floats (embedding lookups), as the dequantizers compute them. */
    public static void dequantizeRow16(DType t, MemorySegment packed, int r, int cols, float[] dst) {
        if (t == DType.Q4_K) {
            // The row back in GGUF blocks (one row's bytes, on the heap), then the dequantizer.
            long rowBytes = t.bytesFor(cols);
            MemorySegment row = MemorySegment.ofArray(new byte[Math.toIntExact(rowBytes)]);
            q4kRow(cols, row, 0, packed, r / 16 * 16 * rowBytes, r % 16, false);
            Dequantizer.dequantize(t, row, 0, dst, 0, cols);
            return;
        }
        int nb = cols / 32;
        int qsb = codeBytes(t);
        int hb = highBitBytes(t);
        long rowBytes = t.bytesFor(cols);
        int g = r / 16 * 16;
        int i = r % 16;
        for (int b = 0; b < nb; b++) {
            long o = (long) g * rowBytes + (long) groupBlockBytes(t) * b;
            long masks = o + 16L * qsb;
            float d = Float.float16ToFloat(packed.get(I16, masks + 16L * hb + 2L * i));
            for (int k = 0; k < qsb / 4; k++) {
                for (int j = 0; j < 4; j++) {
                    int v = packed.get(ValueLayout.JAVA_BYTE, o + 64L * k + 4L * i + j) & 0xFF;
                    switch (t) {
                        case Q8_0 -> dst[32 * b + 4 * k + j] = (v - 128) * d;
                        case Q4_0 -> {
                            dst[32 * b + 4 * k + j] = ((v & 0x0F) - 8) * d;
                            dst[32 * b + 16 + 4 * k + j] = ((v >> 4) - 8) * d;
                        }
                        default -> {
                            int m = 4 * i + j;
                            int lo = packed.get(ValueLayout.JAVA_BYTE, masks + 16L * k + (m >> 3)) >> (m & 7) & 1;
                            int hi = packed.get(ValueLayout.JAVA_BYTE, masks + 16L * k + 8 + (m >> 3)) >> (m & 7) & 1;
                            dst[32 * b + 4 * k + j] = d * (float) (((v & 0x0F) | lo << 4) - 16);
                            dst[32 * b + 16 + 4 * k + j] = d * (float) (((v >> 4) | hi << 4) - 16);
                        }
                    }
                }
            }
        }
    }

    /** Row {@code r} of a packed matrix as floats (embedding lookups). */
    public static void dequantizeRow(DType t, MemorySegment packed, int r, int cols, float[] dst) {
        int nb = cols / 32;
        int qsb = codeBytes(t);
        long s = (long) r * (qsb + 2) * nb;
        for (int b = 0; b < nb; b++) {
            float d = Float.float16ToFloat(packed.get(I16, s + (long) qsb * nb + 2L * b));
            long q = s + (long) qsb * b;
            if (t == DType.Q8_0) {
                for (int j = 0; j < 32; j++) dst[32 * b + j] = packed.get(ValueLayout.JAVA_BYTE, q + j) * d;
            } else {
                for (int j = 0; j < 16; j++) {
                    int v = packed.get(ValueLayout.JAVA_BYTE, q + j) & 0xFF;
                    dst[32 * b + j] = ((v & 0x0F) - 8) * d;
                    dst[32 * b + 16 + j] = ((v >> 4) - 8) * d;
                }
            }
        }
    }
}
