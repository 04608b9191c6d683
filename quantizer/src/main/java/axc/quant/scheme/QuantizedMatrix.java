package axc.quant.scheme;

import java.util.Objects;

/**
 * A weight matrix of {@code rows x cols} (row-major, rows = output channels) as integer levels with
 * per-row, per-group scales and zero points: {@code w[r][c] = scales[r*groups + g] * (q[r*cols + c] -
 * zeros[r*groups + g])} with {@code g = groupIndex[c]}.
 *
 * <p>One level per byte: this is the in-memory form every algorithm produces and every packer reads,
 * not a storage layout. {@code groupIndex} is GPTQ's {@code g_idx}: the group of each original column.
 * It is {@code c / groupSize} except after act-order, where groups are runs of the permuted columns.
 * Scales and zeros are {@code [rows, groups]}, the transpose of the GPTQ checkpoint layout.
 *
 * @param scheme the scheme the levels belong to
 * @param rows output channels
 * @param cols input channels
 * @param groupSize columns per group ({@code cols} for per-channel schemes)
 * @param q levels, {@code rows * cols}
 * @param scales {@code rows * groups}
 * @param zeros {@code rows * groups}; all 0 for symmetric schemes
 * @param groupIndex {@code cols} entries, the group of each column
 */
public record QuantizedMatrix(QuantScheme scheme, int rows, int cols, int groupSize, byte[] q, float[] scales,
                              byte[] zeros, int[] groupIndex) {
    public QuantizedMatrix {
        Objects.requireNonNull(scheme, "scheme");
        int groups = groupCount(cols, groupSize);
        if (q.length != (long) rows * cols) throw new IllegalArgumentException("q has " + q.length + " levels, expected " + rows * cols);
        if (scales.length != (long) rows * groups || zeros.length != scales.length)
            throw new IllegalArgumentException("scales/zeros must have rows*groups = " + rows * groups + " entries");
        if (groupIndex.length != cols) throw new IllegalArgumentException("groupIndex must have cols = " + cols + " entries");
    }

    /** Groups per row: {@code ceil(cols / groupSize)}. */
    public static int groupCount(int cols, int groupSize) {
        return (cols + groupSize - 1) / groupSize;
    }

    /** The identity group index {@code c / groupSize}. */
    public static int[] sequentialGroups(int cols, int groupSize) {
        int[] g = new int[cols];
        for (int c = 0; c < cols; c++) g[c] = c / groupSize;
        return g;
    }

    public int groups() {
        return groupCount(cols, groupSize);
    }

    /** The value of element {@code (r, c)}. */
    public float get(int r, int c) {
        int s = r * groups() + groupIndex[c];
        return IntGrid.dequantize(q[r * cols + c], scales[s], zeros[s]);
    }

    /** The float matrix the levels stand for, {@code rows x cols} row-major. */
    public float[] dequantize() {
        float[] w = new float[rows * cols];
        int groups = groups();
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int sRow = r * groups;
            for (int c = 0; c < cols; c++) {
                int s = sRow + groupIndex[c];
                w[row + c] = IntGrid.dequantize(q[row + c], scales[s], zeros[s]);
            }
        }
        return w;
    }
}
