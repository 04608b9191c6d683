package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.nearestInt;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q2_K}: {@code u8 scales[16]; u8 qs[64]; f16 d, dmin} for 256 values in 16 groups of
 * 16. Group g has scale d*(scales[g] & 15) and min dmin*(scales[g] >> 4); x = dl*q - ml. Each half of
 * 128 values uses 32 bytes of qs: value 32*s + l of the half sits in bits 2s..2s+1 of byte l.
 */
public final class Q2_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;

    private Q2_K() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off + D);
            float dmin = f16(src, off + D + 2);
            for (int e = 0; e < BLOCK; e += 16) {
                int sc = u8(src, off + e / 16);
                float dl = d * (float) (sc & 0xF);
                float ml = dmin * (float) (sc >>> 4);
                int half = e / 128;
                int shift = 2 * ((e % 128) / 32);
                int l0 = e % 32;
                for (int l = 0; l < 16; l++) {
                    int q = (u8(src, off + QS + half * 32 + l0 + l) >>> shift) & 3;
                    dst[dstOff + e + l] = dl * (float) q - ml;
                }
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q2_K_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        int[] L = new int[BLOCK];
        int[] laux = new int[16];
        float[] weights = new float[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] minOut = new float[1];
        int[] sb = new int[16];
        final float q4scale = 15.f;
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) weights[l] = Math.abs(src[srcOff + 16 * j + l]);
                scales[j] = KQuantSearch.makeQkx2Quants(16, 3, src, srcOff + 16 * j, weights, L, 16 * j, minOut, laux,
                        -0.5f, 0.1f, 15, true);
                mins[j] = minOut[0];
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float d;
            if (maxScale > 0) {
                float iscale = q4scale / maxScale;
                for (int j = 0; j < 16; j++) sb[j] = nearestInt(iscale * scales[j]) & 0xFF;
                d = putF16(dst, off + D, maxScale / q4scale);
            } else {
                for (int j = 0; j < 16; j++) sb[j] = 0;
                d = putF16(dst, off + D, 0.f);
            }
            float dmin;
            if (maxMin > 0) {
                float iscale = q4scale / maxMin;
                for (int j = 0; j < 16; j++) sb[j] = (sb[j] | (nearestInt(iscale * mins[j]) << 4)) & 0xFF;
                dmin = putF16(dst, off + D + 2, maxMin / q4scale);
            } else {
                dmin = putF16(dst, off + D + 2, 0.f);
            }
            // Requantize against the scales as stored, so the quants fit what a reader will see.
            for (int j = 0; j < 16; j++) {
                float dl = d * (sb[j] & 0xF);
                if (dl == 0) continue;
                float dm = dmin * (sb[j] >> 4);
                for (int ii = 0; ii < 16; ii++) {
                    int l = nearestInt((src[srcOff + 16 * j + ii] + dm) / dl);
                    L[16 * j + ii] = Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < 16; j++) putU8(dst, off + j, sb[j]);
            for (int j = 0; j < BLOCK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    putU8(dst, off + QS + j / 4 + l,
                            L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
                }
            }
        }
    }
}
