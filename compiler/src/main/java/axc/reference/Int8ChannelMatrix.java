package axc.reference;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An int8 matrix with one scale per output row (symmetric): w[j][i] = scale[j] * q[j][i]. With
 * {@code int8Activations} it also runs as W8A8 does: each input vector is quantized to int8 with one
 * dynamic scale (max|x| / 127), the dot products accumulate in integers, and the result is rescaled.
 */
public final class Int8ChannelMatrix implements Matrix {
    private final int rows;
    private final int cols;
    private final MemorySegment q;
    private final float[] scales;
    private final boolean int8Activations;

    public Int8ChannelMatrix(int rows, int cols, MemorySegment q, float[] scales, boolean int8Activations) {
        if (q.byteSize() != (long) rows * cols || scales.length != rows) throw new IllegalArgumentException("int8 matrix shape mismatch");
        this.rows = rows;
        this.cols = cols;
        this.q = q;
        this.scales = scales;
        this.int8Activations = int8Activations;
    }

    /** The codes, {@code rows x cols} bytes. */
    public MemorySegment codes() {
        return q;
    }

    /** One scale per row. */
    public float[] scales() {
        return scales.clone();
    }

    /** Whether products quantize their input to int8 (W8A8). */
    public boolean int8Activations() {
        return int8Activations;
    }

    /** The int8 codes of {@code x} (one dynamic scale, max|x| / 127, returned) as {@link #matvec} rounds them. */
    public static float quantizeActivations(float[] x, int off, int n, byte[] qx) {
        float amax = 0;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        float sx = amax / 127f;
        for (int i = 0; i < n; i++) qx[i] = sx > 0 ? (byte) Math.max(-127, Math.min(127, Math.round(x[off + i] / sx))) : 0;
        return sx;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void row(int j, float[] dst) {
        long base = (long) j * cols;
        for (int i = 0; i < cols; i++) dst[i] = scales[j] * q.get(ValueLayout.JAVA_BYTE, base + i);
    }

    @Override
    public void matvec(float[] x, float[] out) {
        if (!int8Activations) {
            Matrix.super.matvec(x, out);
            return;
        }
        byte[] qx = new byte[cols];
        float sx = quantizeActivations(x, 0, cols, qx);
        for (int j = 0; j < rows; j++) {
            long base = (long) j * cols;
            long dot = 0;
            for (int i = 0; i < cols; i++) dot += q.get(ValueLayout.JAVA_BYTE, base + i) * qx[i];
            out[j] = (float) (dot * (double) sx * scales[j]);
        }
    }
}
