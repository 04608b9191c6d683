package axc.target.cpu;

import axc.formats.dtype.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The cpu target's layout of Q8_0 and Q4_0 matrices, written at compile time and streamed by the
 * native kernels: each row's block codes back to back (32 bytes per Q8_0 block, 16 per Q4_0 block in
 * llama.cpp's nibble order), then that row's f16 scales. GGUF interleaves a scale before every block;
 * separating them lets the kernels load two blocks' codes and sixteen scales with one instruction
 * each. A packed row has exactly the bytes of the stored row, so sizes and row offsets do not change.
 * The artifact's weight index marks packed tensors with {@link #LAYOUT}.
 */
public final class PackedRows {
    private PackedRows() {
    }

    /** The index's name for this layout. */
    public static final String LAYOUT = "cpu-rows-v1";

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Whether a {@code rows x cols} matrix of {@code t} is written packed. */
    public static boolean packs(DType t, long[] shape) {
        return (t == DType.Q8_0 || t == DType.Q4_0) && shape.length == 2 && shape[1] % 32 == 0 && shape[1] > 0;
    }

    /** Bytes of a block's codes. */
    static int codeBytes(DType t) {
        return switch (t) {
            case Q8_0 -> 32;
            case Q4_0 -> 16;
            default -> throw new IllegalArgumentException("no packed layout for " + t);
        };
    }

    /** Packs {@code rows} stored rows of {@code src} (GGUF blocks) from row {@code r0} into {@code dst} at 0. */
    public static void pack(DType t, int cols, MemorySegment src, long r0, int rows, MemorySegment dst) {
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
