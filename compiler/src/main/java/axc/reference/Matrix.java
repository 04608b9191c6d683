package axc.reference;

/**
 * A weight matrix of {@code rows x cols} (row-major, the Hugging Face {@code [out, in]} layout) in
 * whatever storage type the checkpoint has. Rows are decoded on the fly, so the reference model
 * needs no float32 copy of the weights.
 */
public interface Matrix {
    int rows();

    int cols();

    /** Decodes row {@code r} into {@code dst[0..cols)}. */
    void row(int r, float[] dst);

    /** {@code out[r] = sum_c W[r][c] * x[c]} for every row, accumulated in double. */
    default void matvec(float[] x, float[] out) {
        float[] buf = new float[cols()];
        for (int r = 0; r < rows(); r++) {
            row(r, buf);
            double s = 0;
            for (int c = 0; c < buf.length; c++) s += (double) buf[c] * x[c];
            out[r] = (float) s;
        }
    }

    /**
     * {@code out[t * outStride + outOff + r] = sum_c W[r][c] * x[t * cols + c]} for the {@code n} rows of
     * {@code x}: a matrix-matrix product written into a column range of {@code out}. The default runs
     * {@link #matvec} row by row (the interpreter's arithmetic); targets override it with their kernels.
     */
    default void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        int k = cols();
        float[] in = new float[k];
        float[] o = new float[rows()];
        for (int t = 0; t < n; t++) {
            System.arraycopy(x, t * k, in, 0, k);
            matvec(in, o);
            System.arraycopy(o, 0, out, t * outStride + outOff, o.length);
        }
    }
}
