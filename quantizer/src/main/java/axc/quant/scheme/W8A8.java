package axc.quant.scheme;

/**
 * Int8 weights and int8 activations, the SmoothQuant execution scheme. Weights: {@link Int8PerChannel}
 * (symmetric, one scale per output row). Activations: symmetric, one dynamic scale per token, {@code
 * max|x_token| / 127}, levels -127..127. The matrix product runs on the integers with int32
 * accumulation and is rescaled once per output: {@code y[t][r] = sx[t] * sw[r] * sum_c qx[t][c] *
 * qw[r][c]}.
 *
 * <p>{@link #simulate} is the scalar reference of that arithmetic, what a W8A8 kernel must reproduce
 * bit for bit up to the final float rounding. Its input is the activation after smoothing (the
 * {@code 1/s} of SmoothQuant is folded into whatever produced it).
 *
 * @param smoothAlpha SmoothQuant's migration strength, in [0, 1]; 0.5 is the paper's default
 */
public record W8A8(double smoothAlpha) implements QuantScheme {
    private static final IntGrid ACTIVATIONS = new IntGrid(-127, 127, true);

    public W8A8 {
        if (!(smoothAlpha >= 0 && smoothAlpha <= 1)) throw new IllegalArgumentException("smoothAlpha must be in [0, 1]: " + smoothAlpha);
    }

    @Override
    public String name() {
        return "w8a8-sq" + smoothAlpha;
    }

    /** One token: {@code x} has {@code w8.cols()} values; returns {@code w8.rows()} outputs. */
    public static float[] simulate(QuantizedMatrix w8, float[] x) {
        return simulate(w8, x, 1);
    }

    /**
     * {@code tokens} rows of {@code x} ({@code tokens x cols}, row-major) through the int8 weights
     * {@code w8}; returns {@code tokens x rows}.
     *
     * @throws IllegalArgumentException if {@code w8} is not one scale per row with levels in -127..127
     */
    public static float[] simulate(QuantizedMatrix w8, float[] x, int tokens) {
        int rows = w8.rows(), cols = w8.cols();
        if (w8.groups() != 1 || !(w8.scheme() instanceof Int8PerChannel || w8.scheme() instanceof W8A8))
            throw new IllegalArgumentException("W8A8 needs int8 per-channel weights, got " + w8.scheme().name());
        if (x.length < (long) tokens * cols) throw new IllegalArgumentException("x has fewer than " + tokens + " rows of " + cols);
        byte[] qw = w8.q();
        float[] sw = w8.scales();
        float[] y = new float[tokens * rows];
        byte[] qx = new byte[cols];
        for (int t = 0; t < tokens; t++) {
            int xRow = t * cols;
            float absMax = 0;
            for (int c = 0; c < cols; c++) absMax = Math.max(absMax, Math.abs(x[xRow + c]));
            float sx = ACTIVATIONS.scale(-absMax, absMax);
            for (int c = 0; c < cols; c++) qx[c] = (byte) ACTIVATIONS.quantize(x[xRow + c], sx, 0);
            for (int r = 0; r < rows; r++) {
                int wRow = r * cols;
                int acc = 0;
                for (int c = 0; c < cols; c++) acc += qx[c] * qw[wRow + c];
                y[t * rows + r] = (float) ((double) acc * sx * sw[r]);
            }
        }
        return y;
    }
}
