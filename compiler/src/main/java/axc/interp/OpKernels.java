package axc.interp;

import axc.reference.DecoderMath;

/**
 * The arithmetic of the ops whose cost grows with the activations rather than the weights: attention
 * over the KV cache (once the new keys and values are in it; query row {@code r} attends positions
 * {@code [0, positions[r]]}), the SwiGLU gate and RMSNorm. The interpreter's are the reference
 * ({@link DecoderMath}, float64 where it sums); a target supplies faster ones through
 * {@link ParamSource#kernels()} and is checked against these.
 */
public interface OpKernels {
    void attention(float[] q, int rows, int[] positions, float[] keys, float[] values, int kvDim, int heads, int kvHeads, int d, float[] out);

    /** {@code out[i] = silu(gate[i]) * up[i]} for {@code i < n}. */
    void swiglu(float[] gate, float[] up, float[] out, int n);

    /** RMSNorm of each of {@code rows} rows of {@code n} values of {@code x} into {@code out}. */
    void rmsNorm(float[] x, int rows, int n, float[] weight, float[] out, double eps);

    OpKernels REFERENCE = new OpKernels() {
        @Override
        public void attention(float[] q, int rows, int[] positions, float[] keys, float[] values, int kvDim, int heads, int kvHeads, int d, float[] out) {
            int qDim = heads * d;
            for (int r = 0; r < rows; r++) DecoderMath.attend(q, r * qDim, keys, values, kvDim, positions[r] + 1, heads, kvHeads, d, out, r * qDim);
        }

        @Override
        public void swiglu(float[] gate, float[] up, float[] out, int n) {
            for (int i = 0; i < n; i++) out[i] = DecoderMath.silu(gate[i]) * up[i];
        }

        @Override
        public void rmsNorm(float[] x, int rows, int n, float[] weight, float[] out, double eps) {
            for (int r = 0; r < rows; r++) DecoderMath.rmsNorm(x, r * n, n, weight, out, r * n, eps);
        }
    };
}
