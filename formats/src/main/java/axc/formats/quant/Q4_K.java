package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.nearestInt;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q4_K}: {@code f16 d, dmin; u8 scales[12]; u8 qs[128]} for 256 values in 8 groups of
 * 32, x = d*sc*q - dmin*m with six-bit sc and m (see {@link #scaleMin}). Each 32-byte chunk c of qs
 * holds group 2c in its low nibbles and group 2c+1 in its high nibbles.
 */
public final class Q4_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 144;
    static final int SCALES = 4;
    private static final int QS = 16;

    private Q4_K() {
    }

    /**
     * Group g's scale (low 16 bits) and min (high 16 bits) from the 12 scale bytes at {@code so}:
     * groups 0..3 use the low six bits of bytes g and g+4; groups 4..7 take their low four bits from
     * byte g+4 and their top two from the spare bits of bytes g-4 and g.
     */
    static int scaleMin(MemorySegment s, long so, int g) {
        int d;
        int m;
        if (g < 4) {
            d = u8(s, so + g) & 63;
            m = u8(s, so + g + 4) & 63;
        } else {
            int b = u8(s, so + g + 4);
            d = (b & 0xF) | ((u8(s, so + g - 4) >>> 6) << 4);
            m = (b >>> 4) | ((u8(s, so + g) >>> 6) << 4);
        }
        return d | (m << 16);
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            float dmin = f16(src, off + 2);
            for (int g = 0; g < 8; g++) {
                int sm = scaleMin(src, off + SCALES, g);
                float dl = d * (float) (sm & 0xFFFF);
                float ml = dmin * (float) (sm >>> 16);
                long qo = off + QS + 32L * (g / 2);
                int shift = 4 * (g % 2);
                for (int l = 0; l < 32; l++) {
                    int q = (u8(src, qo + l) >>> shift) & 0xF;
                    dst[dstOff + 32 * g + l] = dl * (float) q - ml;
                }
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q4_K_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        KScratch s = new KScratch();
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            s.searchGroups(src, srcOff, 15, -1.f, 0.1f, 20);
            s.packScales(dst, off, off + SCALES);
            float d = f16(dst, off);
            float dmin = f16(dst, off + 2);
            for (int g = 0; g < 8; g++) {
                int sm = scaleMin(dst, off + SCALES, g);
                float dl = d * (sm & 0xFFFF);
                if (dl == 0) continue;
                float dm = dmin * (sm >>> 16);
                for (int ii = 0; ii < 32; ii++) {
                    int l = nearestInt((src[srcOff + 32 * g + ii] + dm) / dl);
                    s.L[32 * g + ii] = Math.max(0, Math.min(15, l));
                }
            }
            int[] L = s.L;
            for (int j = 0; j < BLOCK; j += 64) {
                for (int l = 0; l < 32; l++) {
                    putU8(dst, off + QS + j / 2 + l, L[j + l] | (L[j + l + 32] << 4));
                }
            }
        }
    }

    /** Per-call scratch shared by Q4_K and Q5_K, so the block loop allocates nothing. */
    static final class KScratch {
        final int[] L = new int[BLOCK];
        final int[] laux = new int[32];
        final float[] weights = new float[32];
        final float[] mins = new float[8];
        final float[] scales = new float[8];
        final float[] minOut = new float[1];
        final int[] packed = new int[12];
        private VectorQkx2Search.Work work;
        float maxScale;
        float maxMin;

        /** Fits each group of 32 with weights av_x + |x|, where av_x is the group's RMS. */
        void searchGroups(float[] x, int xo, int nmax, float rmin, float rdelta, int nstep) {
            if (VectorQkx2Search.USABLE && nstep >= 1) {
                if (work == null) work = new VectorQkx2Search.Work();
                VectorQkx2Search.search(x, xo, nmax, rmin, rdelta, nstep, scales, mins, L, work);
            } else {
                for (int j = 0; j < 8; j++) {
                    float sumX2 = 0;
                    for (int l = 0; l < 32; l++) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
                    float avX = (float) Math.sqrt(sumX2 / 32);
                    for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
                    scales[j] = KQuantSearch.makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, L, 32 * j, minOut, laux,
                            rmin, rdelta, nstep, false);
                    mins[j] = minOut[0];
                }
            }
            maxScale = 0;
            maxMin = 0;
            for (int j = 0; j < 8; j++) {
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
        }

        /** Quantizes the group scales and mins to six bits against the largest of each; writes d, dmin, scales. */
        void packScales(MemorySegment dst, long dOff, long so) {
            float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            int[] q = packed;
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
                int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
                if (j < 4) {
                    q[j] = ls;
                    q[j + 4] = lm;
                } else {
                    q[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
                    q[j - 4] |= (ls >> 4) << 6;
                    q[j] |= (lm >> 4) << 6;
                }
            }
            for (int j = 0; j < 12; j++) putU8(dst, so + j, q[j]);
            putF16(dst, dOff, maxScale / 63.f);
            putF16(dst, dOff + 2, maxMin / 63.f);
        }
    }
}
