package axc.quant.testing;

import java.util.Random;

/** Seeded synthetic weights and calibration inputs shaped like a transformer layer's. */
public final class Synthetic {
    private Synthetic() {
    }

    /** Gaussian weights, {@code rows x cols}, standard deviation {@code 1/sqrt(cols)}. */
    public static float[] weights(long seed, int rows, int cols) {
        Random r = new Random(seed);
        float[] w = new float[rows * cols];
        double sd = 1 / Math.sqrt(cols);
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * sd);
        return w;
    }

    /**
     * {@code tokens x cols} inputs with correlated channels (each token a mix of {@code factors} shared
     * directions plus noise) and {@code outliers} channels scaled by {@code outlierScale}, as hidden
     * states after an RMSNorm look.
     */
    public static float[] inputs(long seed, int tokens, int cols, int factors, int outliers, double outlierScale) {
        Random r = new Random(seed);
        double[] basis = new double[factors * cols];
        for (int i = 0; i < basis.length; i++) basis[i] = r.nextGaussian();
        double[] gain = new double[cols];
        for (int c = 0; c < cols; c++) gain[c] = 0.5 + r.nextDouble();
        for (int k = 0; k < outliers; k++) gain[(int) ((k * 7919L + 13) % cols)] *= outlierScale;
        float[] x = new float[tokens * cols];
        double[] z = new double[factors];
        for (int t = 0; t < tokens; t++) {
            for (int f = 0; f < factors; f++) z[f] = r.nextGaussian();
            for (int c = 0; c < cols; c++) {
                double v = 0.3 * r.nextGaussian();
                for (int f = 0; f < factors; f++) v += z[f] * basis[f * cols + c];
                x[t * cols + c] = (float) (v / Math.sqrt(factors) * gain[c]);
            }
        }
        return x;
    }
}
