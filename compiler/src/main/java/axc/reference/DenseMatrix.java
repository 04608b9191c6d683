package axc.reference;

/** A float32 matrix in memory (row-major {@code [rows, cols]}): for weights a quantizer computed. */
public record DenseMatrix(int rows, int cols, float[] data) implements Matrix {
    public DenseMatrix {
        if ((long) rows * cols != data.length) throw new IllegalArgumentException(rows + " x " + cols + " != " + data.length);
    }

    @Override
    public void row(int r, float[] dst) {
        System.arraycopy(data, r * cols, dst, 0, cols);
    }
}
