package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.nearestInt;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q5_K}: {@code f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}: {@link Q4_K} with a
 * fifth bit per value, value e's in bit e/32 of qh[e%32].
 */
public final class Q5_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    private Q5_K() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            float dmin = f16(src, off + 2);
            for (int g = 0; g < 8; g++) {
                int sm = Q4_K.scaleMin(src, off + Q4_K.SCALES, g);
                float dl = d * (float) (sm & 0xFFFF);
                float ml = dmin * (float) (sm >>> 16);
                long qo = off + QS + 32L * (g / 2);
                int shift = 4 * (g % 2);
                for (int l = 0; l < 32; l++) {
                    int q = ((u8(src, qo + l) >>> shift) & 0xF) | (((u8(src, off + QH + l) >>> g) & 1) << 4);
                    dst[dstOff + 32 * g + l] = dl * (float) q - ml;
                }
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q5_K_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        Q4_K.KScratch s = new Q4_K.KScratch();
        int[] L = s.L;
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            s.searchGroups(src, srcOff, 31, -0.5f, 0.1f, 15);
            s.packScales(dst, off, off + Q4_K.SCALES);
            float d = f16(dst, off);
            float dmin = f16(dst, off + 2);
            for (int g = 0; g < 8; g++) {
                int sm = Q4_K.scaleMin(dst, off + Q4_K.SCALES, g);
                float dl = d * (sm & 0xFFFF);
                if (dl == 0) continue;
                float dm = dmin * (sm >>> 16);
                for (int ii = 0; ii < 32; ii++) {
                    int l = nearestInt((src[srcOff + 32 * g + ii] + dm) / dl);
                    L[32 * g + ii] = Math.max(0, Math.min(31, l));
                }
            }
            for (int j = 0; j < 32; j++) {
                int h = 0;
                for (int g = 0; g < 8; g++) h |= (L[32 * g + j] >> 4) << g;
                putU8(dst, off + QH + j, h);
            }
            for (int j = 0; j < BLOCK; j += 64) {
                for (int l = 0; l < 32; l++) {
                    putU8(dst, off + QS + j / 2 + l, (L[j + l] & 0xF) | ((L[j + l + 32] & 0xF) << 4));
                }
            }
        }
    }
}
