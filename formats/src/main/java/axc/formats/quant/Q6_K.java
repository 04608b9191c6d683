package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.i8;
import static axc.formats.quant.BlockIo.nearestInt;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.u8;

/**
 * {@code block_q6_K}: {@code u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d} for 256 values in 16
 * groups of 16, x = d*scales[g]*(q - 32). Within each half of 128 values (64 ql bytes, 32 qh bytes),
 * value r has its low nibble in ql[r%64] (low for r < 64, high otherwise) and its top two bits in
 * qh[r%32] at bits 2*(r/32).
 */
public final class Q6_K {
    public static final int BLOCK = 256;
    public static final int BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private Q6_K() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off + D);
            for (int e = 0; e < BLOCK; e += 16) {
                float dl = d * (float) i8(src, off + SCALES + e / 16);
                int half = e / 128;
                int r0 = e % 128;
                int nshift = 4 * (r0 / 64);
                int hshift = 2 * (r0 / 32);
                for (int l = 0; l < 16; l++) {
                    int r = r0 + l;
                    int lo = (u8(src, off + half * 64 + r % 64) >>> nshift) & 0xF;
                    int hi = (u8(src, off + QH + half * 32 + r % 32) >>> hshift) & 3;
                    dst[dstOff + e + l] = dl * (float) ((lo | (hi << 4)) - 32);
                }
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q6_K_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        int[] L = new int[BLOCK];
        float[] scales = new float[16];
        int[] sc = new int[16];
        VectorQ6KSearch.Work work = VectorQ6KSearch.USABLE ? new VectorQ6KSearch.Work() : null;
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float maxScale = 0;
            float maxAbsScale = 0;
            if (work != null) VectorQ6KSearch.search(src, srcOff, scales, L, work);
            else for (int g = 0; g < 16; g++) scales[g] = KQuantSearch.makeQxQuants(16, 32, src, srcOff + 16 * g, L, 16 * g, 1);
            for (int g = 0; g < 16; g++) {
                float abs = Math.abs(scales[g]);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scales[g];
                }
            }
            if (maxAbsScale < KQuantSearch.GROUP_MAX_EPS) {
                dst.asSlice(off, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            float d = putF16(dst, off + D, 1 / iscale);
            for (int g = 0; g < 16; g++) {
                sc[g] = (byte) Math.min(127, nearestInt(iscale * scales[g]));
                putU8(dst, off + SCALES + g, sc[g]);
            }
            for (int g = 0; g < 16; g++) {
                float dl = d * sc[g];
                if (dl == 0) continue;
                for (int ii = 0; ii < 16; ii++) {
                    int l = nearestInt(src[srcOff + 16 * g + ii] / dl);
                    L[16 * g + ii] = Math.max(-32, Math.min(31, l)) + 32;
                }
            }
            for (int j = 0; j < BLOCK; j += 128) {
                long ql = off + j / 2;
                long qh = off + QH + j / 4;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l] & 0xF;
                    int q2 = L[j + l + 32] & 0xF;
                    int q3 = L[j + l + 64] & 0xF;
                    int q4 = L[j + l + 96] & 0xF;
                    putU8(dst, ql + l, q1 | (q3 << 4));
                    putU8(dst, ql + l + 32, q2 | (q4 << 4));
                    putU8(dst, qh + l, (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2)
                            | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
                }
            }
        }
    }
}
