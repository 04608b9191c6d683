package axc.interp;

import axc.reference.DecoderMath;

/**
 * The attention op's arithmetic over the KV cache, once the new keys and values are in it: each query
 * row {@code r} attends positions {@code [0, positions[r]]}. The interpreter's is the reference
 * ({@link DecoderMath#attend}, float64 sums); a target supplies a faster one through
 * {@link ParamSource#attention()} and is checked against it.
 */
@FunctionalInterface
public interface Attention {
    void rows(float[] q, int rows, int[] positions, float[] keys, float[] values, int kvDim, int heads, int kvHeads, int d, float[] out);

    Attention REFERENCE = (q, rows, positions, keys, values, kvDim, heads, kvHeads, d, out) -> {
        int qDim = heads * d;
        for (int r = 0; r < rows; r++) DecoderMath.attend(q, r * qDim, keys, values, kvDim, positions[r] + 1, heads, kvHeads, d, out, r * qDim);
    };
}
