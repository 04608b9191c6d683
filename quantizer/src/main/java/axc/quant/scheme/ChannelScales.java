package axc.quant.scheme;

/**
 * Moving a per-input-channel factor {@code s} from activations to weights: {@code x W^T = (x / s) (W
 * diag(s))^T}. AWQ and SmoothQuant both rest on this identity; they differ in how they choose s. The
 * {@code 1 / s} half is folded into whatever produces x: an RMSNorm's weight ({@link #divideNorm}) or
 * the output rows of a preceding linear layer ({@link #divideRows}), so inference pays nothing for it.
 */
public final class ChannelScales {
    private ChannelScales() {
    }

    /** {@code W diag(s)}: column c of a copy of {@code layer}'s weight multiplied by {@code s[c]}. */
    public static float[] scaleColumns(Linear layer, float[] s) {
        int rows = layer.rows(), cols = layer.cols();
        if (s.length != cols) throw new IllegalArgumentException("s has " + s.length + " entries, layer has " + cols + " columns");
        float[] w = layer.weight();
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) out[row + c] = w[row + c] * s[c];
        }
        return out;
    }

    /** {@code normWeight / s}: the RMSNorm weight whose output is the original output divided by s. */
    public static float[] divideNorm(float[] normWeight, float[] s) {
        if (s.length != normWeight.length) throw new IllegalArgumentException("s and the norm weight differ in length");
        float[] out = new float[s.length];
        for (int c = 0; c < s.length; c++) out[c] = normWeight[c] / s[c];
        return out;
    }

    /**
     * {@code diag(1/s) W}: row r of a copy of a preceding layer's weight divided by {@code s[r]}, so
     * that its output (the next layer's input) comes out divided by s. Biases, if any, need the same.
     */
    public static float[] divideRows(Linear previous, float[] s) {
        int rows = previous.rows(), cols = previous.cols();
        if (s.length != rows) throw new IllegalArgumentException("s has " + s.length + " entries, layer has " + rows + " rows");
        float[] w = previous.weight();
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) out[row + c] = w[row + c] / s[r];
        }
        return out;
    }

    /** {@code x / s} per channel for {@code tokens} rows of {@code x}: the activation side, for simulation. */
    public static float[] divideColumns(float[] x, int tokens, float[] s) {
        int cols = s.length;
        float[] out = new float[tokens * cols];
        for (int t = 0; t < tokens; t++) {
            int row = t * cols;
            for (int c = 0; c < cols; c++) out[row + c] = x[row + c] / s[c];
        }
        return out;
    }
}
