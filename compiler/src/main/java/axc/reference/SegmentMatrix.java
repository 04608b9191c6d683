package axc.reference;

import axc.formats.dtype.DType;
import axc.formats.dtype.FloatCodec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
        long off = r * rowBytes;
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, off, dst, 0, cols);
            case BF16, F16 -> {
                short[] raw = new short[cols];
                MemorySegment.copy(data, I16, off, raw, 0, cols);
                if (dtype == DType.BF16) {
                    for (int c = 0; c < cols; c++) dst[c] = FloatCodec.bf16ToFloat(raw[c]);
                } else {
                    for (int c = 0; c < cols; c++) dst[c] = FloatCodec.f16ToFloat(raw[c]);
                }
            }
            default -> blocks.decode(dtype, data, off, dst, cols);
        }
    }

    /**
     * Rows in parallel for large matrices: the reference is the spec, but a 0.5B model should still
     * answer in seconds. Each row is still one double-precision dot product, so the result does not
     * depend on the thread count.
     */
    @Override
    public void matvec(float[] x, float[] out) {
        int chunk = 64;
        int blocksOfRows = (rows + chunk - 1) / chunk;
        IntStream range = IntStream.range(0, blocksOfRows);
        if ((long) rows * cols >= PARALLEL_THRESHOLD) range = range.parallel();
        range.forEach(b -> {
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

    private static final long PARALLEL_THRESHOLD = 1 << 20;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}
