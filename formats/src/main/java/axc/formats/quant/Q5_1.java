package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.le32;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putLe32;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/** {@code block_q5_1}: {@code f16 d, m; u8 qh[4]; u8 qs[16]}, x = d * q + m; bits as in {@link Q5_0}. */
public final class Q5_1 {
    public static final int BLOCK = 32;
    public static final int BYTES = 24;

    private Q5_1() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            float m = f16(src, off + 2);
            int qh = le32(src, off + 4);
            for (int j = 0; j < 16; j++) {
                int q = u8(src, off + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                dst[dstOff + j] = d * (float) ((q & 0x0F) | h0) + m;
                dst[dstOff + j + 16] = d * (float) ((q >>> 4) | h1) + m;
            }
        }
    }

    /**
     * llama.cpp's {@code quantize_row_q5_1_ref}. Unlike Q4_1 there is no clamp to 31: the reference
     * truncates to uint8 directly, and so do we, to produce the same bytes.
     */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[srcOff + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            putF16(dst, off, d);
            putF16(dst, off + 2, min);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                float x0 = (src[srcOff + j] - min) * id;
                float x1 = (src[srcOff + 16 + j] - min) * id;
                int q0 = (int) (x0 + 0.5f) & 0xFF;
                int q1 = (int) (x1 + 0.5f) & 0xFF;
                putU8(dst, off + 8 + j, (q0 & 0x0F) | ((q1 & 0x0F) << 4));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + 16);
            }
            putLe32(dst, off + 4, qh);
        }
    }
}
