package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q4_0}: {@code f16 d; u8 qs[16]}, x = d * (q - 8). Byte j holds element j in its low
 * nibble and element j+16 in its high nibble.
 */
public final class Q4_0 {
    public static final int BLOCK = 32;
    public static final int BYTES = 18;

    private Q4_0() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            for (int j = 0; j < 16; j++) {
                int q = u8(src, off + 2 + j);
                dst[dstOff + j] = d * (float) ((q & 0x0F) - 8);
                dst[dstOff + j + 16] = d * (float) ((q >>> 4) - 8);
            }
        }
    }

    /**
     * llama.cpp's {@code quantize_row_q4_0_ref}. The scale is the signed extreme over -8, so the
     * extreme lands exactly on -8 and the other side gets the spare level; +8.5 then truncation is
     * round-half-up on values that are never negative.
     */
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
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            putF16(dst, off, d);
            for (int j = 0; j < 16; j++) {
                float x0 = src[srcOff + j] * id;
                float x1 = src[srcOff + 16 + j] * id;
                int q0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int q1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                putU8(dst, off + 2 + j, q0 | (q1 << 4));
            }
        }
    }
}
