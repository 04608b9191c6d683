package axc.quant.scheme;

/**
 * Round-to-nearest: each group's scale and zero point from its own min and max, then every value
 * rounded to its nearest level. The baseline every other algorithm is measured against, and the
 * quantizer AWQ runs after scaling and clipping.
 */
public final class Rtn {
    private Rtn() {
    }

    /** Quantizes {@code w} ({@code rows x cols}, row-major) with the weight grid of {@code scheme}. */
    public static QuantizedMatrix quantize(float[] w, int rows, int cols, QuantScheme scheme) {
        if (w.length != (long) rows * cols) throw new IllegalArgumentException("w is not " + rows + " x " + cols);
        IntGrid grid = IntGrid.of(scheme);
        int gs = IntGrid.groupSize(scheme, cols);
        int groups = QuantizedMatrix.groupCount(cols, gs);
        byte[] q = new byte[rows * cols];
        float[] scales = new float[rows * groups];
        byte[] zeros = new byte[rows * groups];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int from = r * cols + g * gs;
                int to = r * cols + Math.min(cols, (g + 1) * gs);
                quantizeGroup(grid, w, from, to, q, scales, zeros, r * groups + g);
            }
        }
        return new QuantizedMatrix(scheme, rows, cols, gs, q, scales, zeros, QuantizedMatrix.sequentialGroups(cols, gs));
    }

    /**
     * Fits scale and zero of {@code w[from..to)} into slot {@code s} and writes the levels to
     * {@code q[from..to)}.
     */
    static void quantizeGroup(IntGrid grid, float[] w, int from, int to, byte[] q, float[] scales, byte[] zeros, int s) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            min = Math.min(min, w[i]);
            max = Math.max(max, w[i]);
        }
        float scale = grid.scale(min, max);
        int zero = grid.zero(min, scale);
        scales[s] = scale;
        zeros[s] = (byte) zero;
        for (int i = from; i < to; i++) q[i] = (byte) grid.quantize(w[i], scale, zero);
    }
}
