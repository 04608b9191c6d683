package axc.interp;

import axc.reference.Matrix;

import java.util.List;

/**
 * Matrices that read the same input, stacked by output row (a layer's q, k and v projections; a
 * SwiGLU's gate and up): row {@code r} of the stack is row {@code r - offset} of the part that holds
 * it, and a product is each part's product side by side, in order. What the interpreter runs when its
 * {@link ParamSource} has no fused product of its own.
 */
public final class StackedMatrix implements Matrix {
    private final Matrix[] parts;
    private final int rows;
    private final int cols;

    StackedMatrix(List<Matrix> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no matrices to stack");
        this.parts = parts.toArray(Matrix[]::new);
        this.cols = this.parts[0].cols();
        int r = 0;
        for (Matrix m : this.parts) {
            if (m.cols() != cols) throw new IllegalArgumentException("stacked matrices of " + cols + " and " + m.cols() + " columns");
            r += m.rows();
        }
        this.rows = r;
    }

    /** {@code parts} as one matrix: the only part itself, else their stack. */
    public static Matrix of(List<Matrix> parts) {
        return parts.size() == 1 ? parts.getFirst() : new StackedMatrix(parts);
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
    public void row(int r, float[] dst) {
        for (Matrix m : parts) {
            if (r < m.rows()) {
                m.row(r, dst);
                return;
            }
            r -= m.rows();
        }
        throw new IndexOutOfBoundsException("row " + r + " of " + rows);
    }

    @Override
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out, rows, 0);
    }

    @Override
    public void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        int col = outOff;
        for (Matrix m : parts) {
            m.matmul(x, n, out, outStride, col);
            col += m.rows();
        }
    }
}
