package axc.reference;

import axc.formats.convert.TensorCast;
import axc.formats.dtype.DType;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/** A matrix backed by a mapped tensor: float types decode per element, block types per row. */
public final class SegmentMatrix implements Matrix {
    private final MemorySegment data;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final RowDecoder blocks;

    /** Decodes one row of a block-quantized tensor. */
    @FunctionalInterface
    public interface RowDecoder {
        void decode(DType t, MemorySegment src, long byteOffset, float[] dst, int n);
    }

    public SegmentMatrix(MemorySegment data, DType dtype, int rows, int cols, RowDecoder blocks) {
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = dtype.bytesFor(cols);
        this.blocks = blocks;
        if (data.byteSize() != rowBytes * rows) {
            throw new IllegalArgumentException("tensor of " + data.byteSize() + " bytes is not " + rows + " x " + cols + " " + dtype);
        }
        if (dtype.isQuantized() && blocks == null) throw new IllegalArgumentException("no decoder for " + dtype);
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
        if (dtype.isQuantized()) {
            blocks.decode(dtype, data, r * rowBytes, dst, cols);
            return;
        }
        long base = (long) r * cols;
        for (int c = 0; c < cols; c++) dst[c] = TensorCast.read(data, dtype, base + c);
    }

    /** Rows in parallel: the reference is the spec, but a 0.5B model should still answer in seconds. */
    @Override
    public void matvec(float[] x, float[] out) {
        int chunk = 64;
        IntStream.range(0, (rows + chunk - 1) / chunk).parallel().forEach(b -> {
            float[] buf = new float[cols];
            int end = Math.min(rows, (b + 1) * chunk);
            for (int r = b * chunk; r < end; r++) {
                row(r, buf);
                double s = 0;
                for (int c = 0; c < cols; c++) s += (double) buf[c] * x[c];
                out[r] = (float) s;
            }
        });
    }
}
