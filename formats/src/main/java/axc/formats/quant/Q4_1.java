package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/** {@code block_q4_1}: {@code f16 d, m; u8 qs[16]}, x = d * q + m; nibbles as in {@link Q4_0}. */
public final class Q4_1 {
    public static final int BLOCK = 32;
    public static final int BYTES = 20;

    private Q4_1() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            float m = f16(src, off + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(src, off + 4 + j);
                dst[dstOff + j] = d * (float) (q & 0x0F) + m;
                dst[dstOff + j + 16] = d * (float) (q >>> 4) + m;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q4_1_ref}: min/max affine, 15 steps. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[srcOff + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 4) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            putF16(dst, off, d);
            putF16(dst, off + 2, min);
            for (int j = 0; j < 16; j++) {
                float x0 = (src[srcOff + j] - min) * id;
                float x1 = (src[srcOff + 16 + j] - min) * id;
                int q0 = Math.min(15, (byte) (int) (x0 + 0.5f));
                int q1 = Math.min(15, (byte) (int) (x1 + 0.5f));
                putU8(dst, off + 4 + j, q0 | (q1 << 4));
            }
        }
    }
}
