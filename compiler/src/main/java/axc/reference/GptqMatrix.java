package axc.reference;

import axc.formats.dtype.FloatCodec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A 4-bit grouped matrix in GPTQ's packed layout: {@code qweight} int32 [in/8, out] (eight input rows per
 * word, lowest nibble first), {@code qzeros} int32 [in/group, out/8] holding zero-1 (GPTQ v1), {@code scales}
 * f16 [in/group, out] and {@code g_idx} int32 [in] (the group of each input column, which act-order
 * permutes). w[j][i] = scale[g][j] * (q[j][i] - zero[g][j]) with g = g_idx[i].
 */
public final class GptqMatrix implements Matrix {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final int rows;
    private final int cols;
    private final int groups;
    private final MemorySegment qweight;
    private final float[] scales;
    private final int[] zeros;
    private final int[] gIdx;

    public GptqMatrix(int rows, int cols, int groupSize, MemorySegment qweight, MemorySegment qzeros, MemorySegment scalesF16, MemorySegment gIdx) {
        this.rows = rows;
        this.cols = cols;
        this.groups = cols / groupSize;
        this.qweight = qweight;
        this.scales = new float[groups * rows];
        this.zeros = new int[groups * rows];
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < rows; j++) {
                scales[g * rows + j] = FloatCodec.f16ToFloat(scalesF16.get(I16, 2L * (g * (long) rows + j)));
                int word = qzeros.get(I32, 4L * (g * (long) (rows / 8) + j / 8));
                zeros[g * rows + j] = ((word >>> (4 * (j % 8))) & 15) + 1;
            }
        }
        this.gIdx = new int[cols];
        for (int i = 0; i < cols; i++) {
            int g = gIdx == null ? i / groupSize : gIdx.get(I32, 4L * i);
            if (g < 0 || g >= groups) throw new IllegalArgumentException("g_idx[" + i + "] = " + g + " is not a group index (0.." + (groups - 1) + ")");
            this.gIdx[i] = g;
        }
    }

    /** The packed codes, int32 [cols / 8, rows]. */
    public MemorySegment qweight() {
        return qweight;
    }

    /** Input rows per group. */
    public int groupSize() {
        return cols / groups;
    }

    /** The scale of (group g, output j) at [g * rows + j]. */
    public float scale(int g, int j) {
        return scales[g * rows + j];
    }

    /** The zero-point of (group g, output j) (GPTQ v1's stored value plus one). */
    public int zero(int g, int j) {
        return zeros[g * rows + j];
    }

    /** The group of input row {@code i} ({@code g_idx[i]}). */
    public int group(int i) {
        return gIdx[i];
    }

    /** Whether the groups are the input rows in order (no act-order permutation in g_idx). */
    public boolean sequentialGroups() {
        int size = cols / groups;
        for (int i = 0; i < cols; i++) if (gIdx[i] != i / size) return false;
        return true;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void row(int j, float[] dst) {
        for (int i = 0; i < cols; i++) {
            int word = qweight.get(I32, 4L * ((long) (i / 8) * rows + j));
            int q = (word >>> (4 * (i % 8))) & 15;
            int g = gIdx[i];
            dst[i] = scales[g * rows + j] * (q - zeros[g * rows + j]);
        }
    }

    /** Streams qweight in storage order (input-major), accumulating every output in double. */
    @Override
    public void matvec(float[] x, float[] out) {
        double[] acc = new double[rows];
        for (int p = 0; p < cols / 8; p++) {
            long base = 4L * p * rows;
            for (int j = 0; j < rows; j++) {
                int word = qweight.get(I32, base + 4L * j);
                for (int b = 0; b < 8; b++) {
                    int i = p * 8 + b;
                    int g = gIdx[i];
                    float w = scales[g * rows + j] * (((word >>> (4 * b)) & 15) - zeros[g * rows + j]);
                    acc[j] += (double) w * x[i];
                }
            }
        }
        for (int j = 0; j < rows; j++) out[j] = (float) acc[j];
    }
}
