package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.le32;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putLe32;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q5_0}: {@code f16 d; u8 qh[4]; u8 qs[16]}, x = d * (q - 16). The low four bits are
 * nibbles as in {@link Q4_0}; bit i of the little-endian 32-bit {@code qh} is element i's fifth bit.
 */
public final class Q5_0 {
    public static final int BLOCK = 32;
    public static final int BYTES = 22;

    private Q5_0() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            int qh = le32(src, off + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(src, off + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[dstOff + j] = d * (float) (((q & 0x0F) | h0) - 16);
                dst[dstOff + j + 16] = d * (float) (((q >>> 4) | h1) - 16);
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q5_0_ref}: as {@link Q4_0} with 32 levels. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[srcOff + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putF16(dst, off, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                float x0 = src[srcOff + j] * id;
                float x1 = src[srcOff + 16 + j] * id;
                int q0 = Math.min(31, (byte) (int) (x0 + 16.5f));
                int q1 = Math.min(31, (byte) (int) (x1 + 16.5f));
                putU8(dst, off + 6 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            putLe32(dst, off + 2, qh);
        }
    }
}
