package axc.quant.scheme;

/** Per-input-channel statistics of calibration activations ({@code tokens x cols}, row-major). */
public final class ChannelStats {
    private ChannelStats() {
    }

    /** {@code mean_t |x[t][c]|} for each channel c: AWQ's measure of how salient a channel is. */
    public static float[] absMean(float[] x, int tokens, int cols) {
        double[] sum = new double[cols];
        for (int t = 0; t < tokens; t++) {
            int row = t * cols;
            for (int c = 0; c < cols; c++) sum[c] += Math.abs(x[row + c]);
        }
        float[] mean = new float[cols];
        for (int c = 0; c < cols; c++) mean[c] = (float) (sum[c] / Math.max(1, tokens));
        return mean;
    }

    /** {@code max_t |x[t][c]|} for each channel c: SmoothQuant's activation range. */
    public static float[] absMax(float[] x, int tokens, int cols) {
        float[] max = new float[cols];
        for (int t = 0; t < tokens; t++) {
            int row = t * cols;
            for (int c = 0; c < cols; c++) max[c] = Math.max(max[c], Math.abs(x[row + c]));
        }
        return max;
    }

    /** {@code max_r |W[r][c]|} over the rows of every layer: the weight range of input channel c. */
    public static float[] weightAbsMax(java.util.List<Linear> layers) {
        int cols = layers.getFirst().cols();
        float[] max = new float[cols];
        for (Linear l : layers) {
            if (l.cols() != cols) throw new IllegalArgumentException("layers sharing an input must have the same cols");
            float[] w = l.weight();
            for (int r = 0; r < l.rows(); r++) {
                int row = r * cols;
                for (int c = 0; c < cols; c++) max[c] = Math.max(max[c], Math.abs(w[row + c]));
            }
        }
        return max;
    }
}
