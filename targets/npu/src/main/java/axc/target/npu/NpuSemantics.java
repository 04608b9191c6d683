package axc.target.npu;

/**
 * The Java mirror of the simulator's arithmetic (npu_math.hpp and the ops of npu_sim.cpp): the same
 * float32 operations in the same order, so results agree bit for bit (NPU.md B5). Java's float
 * arithmetic is strict IEEE and never fuses a multiply-add unless asked; the C++ is built with
 * {@code -ffp-contract=off}. The lowering computes references with these; tests compare them with the
 * simulator on random inputs.
 */
public final class NpuSemantics {
    private NpuSemantics() {
    }

    /** e^x: k = rint(x·log2e), r = x − k·ln2 in two parts, a degree-6 polynomial, scaled by 2^k. */
    public static float exp(float x) {
        if (Float.isNaN(x)) return x;
        if (x > 88.5f) return Float.POSITIVE_INFINITY;
        if (x < -103.5f) return 0.0f;
        final float log2e = 1.44269504f, ln2Hi = 0.693145752f, ln2Lo = 1.42860677e-06f;
        float k = (float) Math.rint(x * log2e);
        float r = (x - k * ln2Hi) - k * ln2Lo;
        float p = 1.0f / 720.0f;
        p = p * r + 1.0f / 120.0f;
        p = p * r + 1.0f / 24.0f;
        p = p * r + 1.0f / 6.0f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        return Math.scalb(p, (int) k);
    }

    public static float silu(float x) {
        return x / (1.0f + exp(-x));
    }

    /** clamp(rint(v), −128, 127), ties to even. */
    public static byte q8(float v) {
        float r = (float) Math.rint(v);
        if (!(r >= -128.0f)) return -128;
        if (r > 127.0f) return 127;
        return (byte) r;
    }

    /** Per-row absmax quantization: codes and each row's scale (absmax / 127). */
    public static byte[] quant(float[] x, int n, int rows, float[] scalesOut) {
        byte[] q = new byte[n * rows];
        for (int r = 0; r < rows; r++) {
            float amax = 0;
            for (int j = 0; j < n; j++) amax = Math.max(amax, Math.abs(x[r * n + j]));
            scalesOut[r] = amax / 127.0f;
            float inv = amax > 0 ? 127.0f / amax : 0.0f;
            for (int j = 0; j < n; j++) q[r * n + j] = q8(x[r * n + j] * inv);
        }
        return q;
    }

    /** ((float) acc · rowScale[r]) · colScale[j] (+ bias[j]). */
    public static float[] dequant(int[] acc, int n, int rows, float[] rowScale, float[] colScale, float[] bias) {
        float[] y = new float[n * rows];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                float v = ((float) acc[r * n + j] * rowScale[r]) * colScale[j];
                if (bias != null) v = v + bias[j];
                y[r * n + j] = v;
            }
        }
        return y;
    }

    /** x · (1 / sqrt(Σx²/n + eps)) · w per row, the sum k-ascending in float32. */
    public static float[] rmsnorm(float[] x, int n, int rows, float[] w, float eps) {
        float[] y = new float[n * rows];
        for (int r = 0; r < rows; r++) {
            float ss = 0;
            for (int j = 0; j < n; j++) ss = ss + x[r * n + j] * x[r * n + j];
            float inv = 1.0f / (float) Math.sqrt(ss / (float) n + eps);
            for (int j = 0; j < n; j++) y[r * n + j] = (x[r * n + j] * inv) * w[j];
        }
        return y;
    }

    /** Softmax over the first {@code valid} entries of each row (0: all), the rest 0. */
    public static float[] softmax(float[] x, int n, int rows, int valid) {
        return softmax(x.clone(), n, rows, valid == 0 ? n : valid, 0);
    }

    /**
     * The softmax the simulator runs for attention (flags scaled, register-valid and causal): each entry
     * first multiplied by {@code scale}, then row {@code r} masked to its first {@code valid0 + r}
     * entries (clamped to [0, n]).
     */
    public static float[] softmaxCausal(float[] x, int n, int rows, float scale, long valid0) {
        float[] y = new float[n * rows];
        for (int i = 0; i < n * rows; i++) y[i] = x[i] * scale;
        return softmax(y, n, rows, valid0, 1);
    }

    /** In place: row {@code r} masked to its first {@code valid0 + r·step} entries (clamped to [0, n]), the rest 0. */
    private static float[] softmax(float[] y, int n, int rows, long valid0, int step) {
        for (int r = 0; r < rows; r++) {
            int v = (int) Math.clamp(valid0 + (long) r * step, 0, n);
            float mx = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) mx = Math.max(mx, y[r * n + j]);
            float sum = 0;
            for (int j = 0; j < n; j++) {
                float e = j < v ? exp(y[r * n + j] - mx) : 0.0f;
                y[r * n + j] = e;
                sum = sum + e;
            }
            for (int j = 0; j < n; j++) y[r * n + j] = sum > 0 ? y[r * n + j] / sum : 0.0f;
        }
        return y;
    }

    /** IEEE half bits of {@code v}, rounded to nearest even (the simulator's f32_to_f16). */
    public static short f16(float v) {
        return Float.floatToFloat16(v);
    }

    public static float f32(short h) {
        return Float.float16ToFloat(h);
    }

    /**
     * C[M×N] = A[M×K] · B in float32 from half operands, k ascending (each product is exact in float32);
     * B as [K][N], or as [N][K] when {@code transposeB}.
     */
    public static float[] gemmF16(short[] a, short[] b, int m, int n, int k, boolean transposeB) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int t = 0; t < k; t++) s = s + f32(a[i * k + t]) * f32(transposeB ? b[j * k + t] : b[t * n + j]);
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** C[M×N] = A[M×K] · B, B as [N][K] (transposed) int8, exact int32 (the caller keeps sums in range). */
    public static int[] gemmI8(byte[] a, byte[] bT, int m, int n, int k) {
        int[] c = new int[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int s = 0;
                for (int t = 0; t < k; t++) s += a[i * k + t] * bT[j * k + t];
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** Rotate-half RoPE of heads of {@code d} with cos/sin tables of rows × d/2 each. */
    public static float[] rope(float[] x, int n, int rows, int d, float[] cos, float[] sin) {
        float[] y = x.clone();
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < n / d; h++) {
                for (int i = 0; i < d / 2; i++) {
                    float c = cos[r * (d / 2) + i], s = sin[r * (d / 2) + i];
                    float x1 = x[r * n + h * d + i], x2 = x[r * n + h * d + d / 2 + i];
                    y[r * n + h * d + i] = x1 * c - x2 * s;
                    y[r * n + h * d + d / 2 + i] = x2 * c + x1 * s;
                }
            }
        }
        return y;
    }
}
