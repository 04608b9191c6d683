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

    /** Whether {@code t} has {@link #LAYOUT} as well as {@link #LAYOUT16} (Q5_0 has the 16-row one only). */
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
                        for (int k = 0; k < 4; k++) {
                            for (int j = 0; j < 4; j++) {
                                for (int half = 0; half < 2; half++) {
                                    int bit = 16 * half + 4 * k + j, m = 8 * (2 * k + half) * 8 + 4 * i + j;
                                    if (pack) {
                                        if ((qh >>> bit & 1) != 0) masks[m >> 3] |= (byte) (1 << (m & 7));
                                    } else if ((masks[m >> 3] >> (m & 7) & 1) != 0) {
                                        qh |= 1 << bit;
                                    }
                                }
                            }
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
        int nb = cols / 256;
        long rowBytes = 144L * nb;
        for (int g = 0; g < rows; g += 16) {
            for (int b = 0; b < nb; b++) {
                long o = g * rowBytes + 2304L * b;
                for (int i = 0; i < 16; i++) {
                    long s = (r0 + g + i) * rowBytes + 144L * b;
                    for (int j = 0; j < 4; j++) {
                        for (int k = 0; k < 8; k++) {
                            long at = o + 512L * j + 64L * k + 4L * i, from = s + 16 + 32L * j + 4L * k;
                            if (pack) MemorySegment.copy(blocks, from, grouped, at, 4);
                            else MemorySegment.copy(grouped, at, blocks, from, 4);
                        }
                    }
                    long[][] pairs = {{s, o + 2048 + 2L * i, 2}, {s + 2, o + 2080 + 2L * i, 2},
                            {s + 4, o + 2112 + 4L * i, 4}, {s + 8, o + 2176 + 4L * i, 4}, {s + 12, o + 2240 + 4L * i, 4}};
                    for (long[] p : pairs) {
                        if (pack) MemorySegment.copy(blocks, p[0], grouped, p[1], p[2]);
                        else MemorySegment.copy(grouped, p[1], blocks, p[0], p[2]);
                    }
                }
            }
        }
    }

    /** Row {@code r} of a {@link #LAYOUT16} matrix as floats (embedding lookups), as the dequantizers compute them. */
    public static void dequantizeRow16(DType t, MemorySegment packed, int r, int cols, float[] dst) {
        if (t == DType.Q4_K) {
            // Its group back in GGUF blocks, then the dequantizer on the row.
            long groupBytes = 16 * t.bytesFor(cols);
            MemorySegment blocks = unpack16(t, 16, cols, packed.asSlice(r / 16 * groupBytes, groupBytes));
            Dequantizer.dequantize(t, blocks, (r % 16) * t.bytesFor(cols), dst, 0, cols);
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
