package axc.quant.scheme;

import axc.quant.linalg.Gemm;

/**
 * The error a weight approximation makes on real inputs, {@code ||X (W - What)^T||^2}: the quantity
 * GPTQ, AWQ and SmoothQuant each minimise in their own way, and the measure their tests compare.
 */
public final class OutputError {
    private OutputError() {
    }

    /**
     * {@code sum_t sum_r (sum_c (w - wHat)[r][c] * x[t][c])^2}, with {@code w, wHat} of {@code rows x
     * cols} and {@code x} of {@code tokens x cols}, all row-major; accumulated in double.
     */
    public static double squared(float[] w, float[] wHat, int rows, int cols, float[] x, int tokens) {
        float[] diffT = new float[cols * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) diffT[c * rows + r] = w[r * cols + c] - wHat[r * cols + c];
        }
        float[] y = new float[tokens * rows];
        Gemm.multiplyAdd(tokens, rows, cols, x, 0, cols, diffT, 0, rows, y, 0, rows);
        double s = 0;
        for (float v : y) s += (double) v * v;
        return s;
    }

    /** {@code y = x W^T}: {@code tokens x rows} from {@code x} ({@code tokens x cols}) and {@code w} ({@code rows x cols}). */
    public static float[] forward(float[] w, int rows, int cols, float[] x, int tokens) {
        float[] wT = new float[cols * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) wT[c * rows + r] = w[r * cols + c];
        }
        float[] y = new float[tokens * rows];
        Gemm.multiplyAdd(tokens, rows, cols, x, 0, cols, wT, 0, rows, y, 0, rows);
        return y;
    }
}
