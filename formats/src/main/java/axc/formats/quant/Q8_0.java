package axc.formats.quant;

import java.lang.foreign.MemorySegment;

import static axc.formats.quant.BlockIo.f16;
import static axc.formats.quant.BlockIo.i8;
import static axc.formats.quant.BlockIo.putF16;
import static axc.formats.quant.BlockIo.putU8;
import static axc.formats.quant.BlockIo.roundf;

/** {@code block_q8_0}: {@code f16 d; i8 qs[32]}, x = d * q. Symmetric, scale from the block's absolute max. */
public final class Q8_0 {
    public static final int BLOCK = 32;
    public static final int BYTES = 34;

    private Q8_0() {
    }

    public static void dequantize(MemorySegment src, long off, float[] dst, int dstOff, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, dstOff += BLOCK) {
            float d = f16(src, off);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOff + j] = (float) i8(src, off + 2 + j) * d;
            }
        }
    }

    /** llama.cpp's {@code quantize_row_q8_0_ref}. */
    public static void quantize(float[] src, int srcOff, MemorySegment dst, long off, int nBlocks) {
        for (int b = 0; b < nBlocks; b++, off += BYTES, srcOff += BLOCK) {
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(src[srcOff + j]));
            float d = amax / ((1 << 7) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            putF16(dst, off, d);
            // The quants use the unrounded f32 scale, as llama.cpp does, not the stored f16 one.
            for (int j = 0; j < BLOCK; j++) {
                putU8(dst, off + 2 + j, (int) roundf(src[srcOff + j] * id));
            }
        }
    }
}
