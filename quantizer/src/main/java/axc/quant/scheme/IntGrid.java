package axc.quant.scheme;

/**
 * The integer levels {@code qmin..qmax} of a weight scheme and the rules that fit a group's range onto
 * them. Every algorithm (RTN, GPTQ, AWQ's searches) goes through these few methods, so they all agree
 * on rounding: {@link Math#rint} (ties to even), which is symmetric ({@code rint(-x) == -rint(x)}) and
 * so keeps the dequantization error of every in-range value within {@code scale / 2}.
 *
 * @param qmin lowest level
 * @param qmax highest level
 * @param symmetric {@code true} when the zero point is always 0
 */
public record IntGrid(int qmin, int qmax, boolean symmetric) {
    /** The weight grid of a scheme; {@link W8A8} quantizes its weights as {@link Int8PerChannel}. */
    public static IntGrid of(QuantScheme scheme) {
        return switch (scheme) {
            case Int4Group g -> g.symmetric() ? new IntGrid(-8, 7, true) : new IntGrid(0, 15, false);
            case Int8PerChannel p -> new IntGrid(-127, 127, true);
            case W8A8 a -> new IntGrid(-127, 127, true);
        };
    }

    /** Input columns per group for a matrix of {@code cols} columns: a whole row for per-channel schemes. */
    public static int groupSize(QuantScheme scheme, int cols) {
        return switch (scheme) {
            case Int4Group g -> g.groupSize();
            case Int8PerChannel p -> cols;
            case W8A8 a -> cols;
        };
    }

    /**
     * The scale for a group whose values lie in {@code [min, max]}. Symmetric: {@code max(|min|,|max|) /
     * qmax}. Asymmetric: the range widened to contain 0, divided by {@code qmax - qmin}. An all-zero
     * group gets scale 1 (any scale represents it exactly, and 1 keeps divisions finite).
     */
    public float scale(float min, float max) {
        float s;
        if (symmetric) {
            s = Math.max(Math.abs(min), Math.abs(max)) / qmax;
        } else {
            s = (Math.max(max, 0f) - Math.min(min, 0f)) / (qmax - qmin);
        }
        return s > 0 && Float.isFinite(s) ? s : 1f;
    }

    /** The zero point for a group with minimum {@code min} and scale {@code scale}: 0 when symmetric. */
    public int zero(float min, float scale) {
        if (symmetric) return 0;
        return clamp((int) Math.rint(-Math.min(min, 0f) / scale) + qmin);
    }

    /**
     * The level of {@code w}: {@code clamp(rint(w / scale) + zero)}. Clamped before the cast to int, so
     * infinities and huge ratios land on the end levels instead of overflowing.
     */
    public int quantize(float w, float scale, int zero) {
        double v = Math.rint(w / scale) + zero;
        return (int) Math.min(qmax, Math.max(qmin, v));
    }

    /** The value a level stands for. */
    public static float dequantize(int q, float scale, int zero) {
        return scale * (q - zero);
    }

    private int clamp(int q) {
        return Math.min(qmax, Math.max(qmin, q));
    }
}
