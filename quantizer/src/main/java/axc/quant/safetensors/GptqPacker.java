package axc.quant.safetensors;

import axc.formats.dtype.FloatCodec;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.QuantizedMatrix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Packs a 4-bit {@link QuantizedMatrix} into GPTQ's checkpoint layout, the one transformers' GPTQ
 * loaders read: {@code qweight} int32 [in/8, out] (eight input rows per word, lowest nibble first),
 * {@code qzeros} int32 [in/group, out/8] holding zero-1 (the "v1" convention), {@code scales} f16
 * [in/group, out], {@code g_idx} int32 [in]. Symmetric levels -8..7 are stored as 0..15 with zero 8.
 *
 * <p>The v1 convention cannot store a zero point of 0 (it would read back as 16). Such a group (all its
 * weights >= 0, rare in practice) is stored with zero 1 and its levels moved up by one, the top level
 * saturating: {@link #packed()} returns the matrix as stored, so errors are measured on what is written.
 */
public final class GptqPacker {
    private final QuantizedMatrix m;
    private final byte[] u;
    private final byte[] zeros;

    public GptqPacker(QuantizedMatrix m) {
        if (!(m.scheme() instanceof Int4Group g)) throw new IllegalArgumentException("GPTQ packing is for int4 schemes, not " + m.scheme().name());
        if (m.cols() % 8 != 0 || m.rows() % 8 != 0) throw new IllegalArgumentException("GPTQ packing needs rows and columns divisible by 8");
        this.m = m;
        int groups = m.groups();
        int shift = g.symmetric() ? 8 : 0;
        this.u = new byte[m.q().length];
        this.zeros = new byte[m.zeros().length];
        for (int r = 0; r < m.rows(); r++) {
            for (int gi = 0; gi < groups; gi++) zeros[r * groups + gi] = (byte) (m.zeros()[r * groups + gi] + shift);
            for (int c = 0; c < m.cols(); c++) u[r * m.cols() + c] = (byte) (m.q()[r * m.cols() + c] + shift);
        }
        for (int r = 0; r < m.rows(); r++) {
            for (int gi = 0; gi < groups; gi++) {
                if (zeros[r * groups + gi] != 0) continue;
                zeros[r * groups + gi] = 1;
                for (int c = 0; c < m.cols(); c++) {
                    if (m.groupIndex()[c] == gi) u[r * m.cols() + c] = (byte) Math.min(15, u[r * m.cols() + c] + 1);
                }
            }
        }
    }

    /** The matrix exactly as stored (unsigned levels 0..15, zero points 1..15, scales rounded to f16). */
    public QuantizedMatrix packed() {
        float[] s = new float[m.scales().length];
        for (int i = 0; i < s.length; i++) s[i] = FloatCodec.f16ToFloat(FloatCodec.floatToF16(m.scales()[i]));
        return new QuantizedMatrix(new Int4Group(m.groupSize(), false), m.rows(), m.cols(), m.groupSize(), u, s, zeros, m.groupIndex());
    }

    public byte[] qweight() {
        int rows = m.rows(), cols = m.cols();
        ByteBuffer b = le(4L * (cols / 8) * rows);
        for (int p = 0; p < cols / 8; p++) {
            for (int j = 0; j < rows; j++) {
                int word = 0;
                for (int k = 0; k < 8; k++) word |= (u[j * cols + p * 8 + k] & 15) << (4 * k);
                b.putInt(word);
            }
        }
        return b.array();
    }

    public byte[] qzeros() {
        int rows = m.rows(), groups = m.groups();
        ByteBuffer b = le(4L * groups * (rows / 8));
        for (int g = 0; g < groups; g++) {
            for (int k = 0; k < rows / 8; k++) {
                int word = 0;
                for (int i = 0; i < 8; i++) word |= ((zeros[(k * 8 + i) * groups + g] - 1) & 15) << (4 * i);
                b.putInt(word);
            }
        }
        return b.array();
    }

    public byte[] scalesF16() {
        int rows = m.rows(), groups = m.groups();
        ByteBuffer b = le(2L * groups * rows);
        for (int g = 0; g < groups; g++) for (int j = 0; j < rows; j++) b.putShort(FloatCodec.floatToF16(m.scales()[j * groups + g]));
        return b.array();
    }

    public byte[] gIdx() {
        ByteBuffer b = le(4L * m.cols());
        for (int c = 0; c < m.cols(); c++) b.putInt(m.groupIndex()[c]);
        return b.array();
    }

    private static ByteBuffer le(long n) {
        return ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
