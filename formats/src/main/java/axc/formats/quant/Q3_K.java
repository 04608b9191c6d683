package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.nearestInt;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q3_K}: {@code u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d} for 256 values in 16
 * groups of 16. The two low bits are packed as in {@link Q2_K}; value e's third bit is bit e/32 of
 * hmask[e%32], and a clear bit means "subtract 4", so q is in [-4, 3]. The 16 six-bit signed scales
 * (stored +32) keep their low nibbles in bytes 0..7 (groups 0..7 low, 8..15 high) and their top two
 * bits in bytes 8..11 (group g at byte 8 + g%4, bits 2*(g/4)).
 */
public final class Q3_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 110;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    private Q3_K() {
    }

    static int scale(MemorySegment src, long off, int g) {
        int lo = g < 8 ? u8(src, off + SCALES + g) & 0xF : u8(src, off + SCALES + g - 8) >>> 4;
        int hi = (u8(src, off + SCALES + 8 + g % 4) >>> (2 * (g / 4))) & 3;
        return (lo | (hi << 4)) - 32;
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off + D);
            for (int e = 0; e < BLOCK; e += 16) {
                float dl = d * (float) scale(src, off, e / 16);
                int half = e / 128;
                int shift = 2 * ((e % 128) / 32);
                int hbit = e / 32;
                int l0 = e % 32;
                for (int l = 0; l < 16; l++) {
                    int lo = (u8(src, off + QS + half * 32 + l0 + l) >>> shift) & 3;
                    int h = (u8(src, off + l0 + l) >>> hbit) & 1;
                    dst[dstOff + e + l] = dl * (float) (lo - (h != 0 ? 0 : 4));
                }
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q3_K_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        int[] L = new int[BLOCK];
        float[] scales = new float[16];
        int[] sb = new int[12];
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < 16; j++) {
                scales[j] = KQuantSearch.makeQ3Quants(16, 4, src, srcOff + 16 * j, L, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(sb, 0);
            float d;
            if (maxScale != 0) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = (byte) nearestInt(iscale * scales[j]);
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) sb[j] = l & 0xF;
                    else sb[j - 8] |= (l & 0xF) << 4;
                    l >>= 4;
                    sb[j % 4 + 8] |= l << (2 * (j / 4));
                }
                d = putF16(dst, off + D, 1 / iscale);
            } else {
                d = putF16(dst, off + D, 0.f);
            }
            for (int j = 0; j < 12; j++) putU8(dst, off + SCALES + j, sb[j]);
            for (int j = 0; j < 16; j++) {
                int sc = j < 8 ? sb[j] & 0xF : sb[j - 8] >> 4;
                sc = (sc | (((sb[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
                float dl = d * sc;
                if (dl == 0) continue;
                for (int ii = 0; ii < 16; ii++) {
                    int l = nearestInt(src[srcOff + 16 * j + ii] / dl);
                    L[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
                }
            }
            // hmask: the high bit of value e goes to bit e/32 of byte e%32, then L keeps two bits.
            for (int m = 0; m < 32; m++) {
                int h = 0;
                for (int bit = 0; bit < 8; bit++) {
                    int e = bit * 32 + m;
                    if (L[e] > 3) {
                        h |= 1 << bit;
                        L[e] -= 4;
                    }
                }
                putU8(dst, off + m, h);
            }
            for (int j = 0; j < BLOCK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    putU8(dst, off + QS + j / 4 + l,
                            L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
                }
            }
        }
    }
}
