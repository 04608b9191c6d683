package axc.target.cpu;

import axc.reference.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One native product of matrices that read the same input, stacked by output row (a layer's q, k and
 * v; a SwiGLU's gate and up; or one matrix alone): the activations go to off-heap memory once, are
 * quantized once per format the parts read, and every part's rows go to the {@link RowPool} as one
 * job, so a decode step hands over once per node rather than once per matrix, and the small k and v
 * projections ride along with q instead of running on the caller alone. Outputs are each part's own
 * (the kernels compute a row the same way whatever the chunk).
 *
 * <p>The work is cut once, at construction, into chunks of whole kernel bands: about four per thread,
 * each 64 KiB to 1 MiB of weights. Small chunks cost a hand-over each; large ones leave a thread idle
 * while another finishes its last. A product of many activation rows (a prefill) also cuts the rows
 * into tiles of {@link #TILE}, each chunk and tile a unit of work: a chunk of a 512-row product is
 * heavy, and with four chunks a thread the last one left the other thread idle for up to an eighth
 * of the product.
 */
final class StackedProduct implements Matrix {
    private final CpuMatrix[] parts;
    private final int[] offsets;
    private final int rows;
    private final int cols;
    private final RowPool pool;
    private final NativeScratch scratch;
    /** Chunk {@code c} is rows {@code [from[c], to[c])} of part {@code part[c]}. */
    private final int[] part;
    private final int[] from;
    private final int[] to;
    /** The distinct int8 activation formats of the parts, one part of each to quantize with, and each part's index among them (-1: floats). */
    private final CpuMatrix[] quantizers;
    private final int[] formatOf;
    private final long[] formatOffset;
    private final long quantizedRowBytes;
    /** Activation rows per unit of work in a many-row product: whole fours, as the 16-row kernels take them. */
    static final int TILE = 128;
    private final RowPool.Job job = this::chunks;
    private final RowPool.Job quantizeJob = this::quantize;
    /** The product under way: activation rows, and where the workers read and write. */
    private int n;
    private long xAddress;
    private long qAddress;
    private long yAddress;

    StackedProduct(CpuMatrix[] parts, RowPool pool, NativeScratch scratch) {
        if (parts.length == 0) throw new IllegalArgumentException("no matrices to stack");
        this.parts = parts.clone();
        this.pool = pool;
        this.scratch = scratch;
        this.cols = parts[0].cols();
        this.offsets = new int[parts.length];
        this.formatOf = new int[parts.length];
        List<CpuMatrix> formats = new ArrayList<>();
        int r = 0;
        long bytes = 0;
        for (int p = 0; p < parts.length; p++) {
            CpuMatrix m = parts[p];
            if (!m.isNative() || m.cols() != cols || m.pool() != pool || m.scratch() != scratch) {
                throw new IllegalArgumentException("matrices stacked in one product need the native kernels, one width, pool and scratch");
            }
            offsets[p] = r;
            r += m.rows();
            bytes += m.rowBytes() * m.rows();
            formatOf[p] = -1;
            if (m.activationFormat() < 0) continue;
            for (int f = 0; f < formats.size() && formatOf[p] < 0; f++) if (formats.get(f).activationFormat() == m.activationFormat()) formatOf[p] = f;
            if (formatOf[p] < 0) {
                formatOf[p] = formats.size();
                formats.add(m);
            }
        }
        this.rows = r;
        this.quantizers = formats.toArray(CpuMatrix[]::new);
        this.formatOffset = new long[quantizers.length];
        long q = 0;
        for (int f = 0; f < quantizers.length; f++) {
            formatOffset[f] = q;
            q += (quantizers[f].activationRowBytes() + 63) / 64 * 64;
        }
        this.quantizedRowBytes = q;
        long chunkBytes = Math.clamp(bytes / (4L * pool.threads()), 64 * 1024, 1024 * 1024);
        List<int[]> chunks = new ArrayList<>();
        for (int p = 0; p < parts.length; p++) {
            CpuMatrix m = parts[p];
            int band = m.band();
            int rowsPerChunk = (int) Math.max(band, chunkBytes / m.rowBytes() / band * band);
            for (int a = 0; a < m.rows(); a += rowsPerChunk) chunks.add(new int[]{p, a, Math.min(m.rows(), a + rowsPerChunk)});
        }
        this.part = chunks.stream().mapToInt(c -> c[0]).toArray();
        this.from = chunks.stream().mapToInt(c -> c[1]).toArray();
        this.to = chunks.stream().mapToInt(c -> c[2]).toArray();
    }

    /** Chunks the work is cut into (for tests: one per part at least). */
    int chunkCount() {
        return part.length;
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
        for (int p = parts.length - 1; p >= 0; p--) {
            if (r >= offsets[p]) {
                parts[p].row(r - offsets[p], dst);
                return;
            }
        }
        throw new IndexOutOfBoundsException("row " + r);
    }

    @Override
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out, rows, 0);
    }

    @Override
    public synchronized void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        if (x.length < n * cols || out.length < (n - 1) * outStride + outOff + rows) throw new IllegalArgumentException("matmul buffers too small");
        synchronized (scratch) {
            MemorySegment xs = scratch.x((long) n * cols);
            MemorySegment ys = scratch.y((long) n * rows);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, n * cols);
            this.n = n;
            this.xAddress = xs.address();
            this.yAddress = ys.address();
            if (quantizers.length > 0) {
                // Quantized once per format, rows split over the pool (a prefill has hundreds), then read by every worker.
                this.qAddress = scratch.q(n * quantizedRowBytes).address();
                pool.run(quantizeJob, n, Math.max(1, 16384 / cols));
            }
            pool.run(job, part.length * tiles(n), 1, 1);
            if (outStride == rows && outOff == 0) MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT, 0, out, 0, n * rows);
            else for (int t = 0; t < n; t++) MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT, 4L * t * rows, out, t * outStride + outOff, rows);
        }
    }

    /** Activation rows {@code [a, b)} in every format: format f's rows at {@code qAddress + formatOffset[f] * n}. */
    private void quantize(int a, int b, int worker) {
        for (int f = 0; f < quantizers.length; f++) quantizers[f].quantize(xAddress, qAddress + formatOffset[f] * n, a, b);
    }

    private static int tiles(int n) {
        return (n + TILE - 1) / TILE;
    }

    /** Units {@code [a, b)}: unit u is chunk {@code u / tiles} over activation tile {@code u % tiles}. */
    private void chunks(int a, int b, int worker) {
        int tiles = tiles(n);
        for (int u = a; u < b; u++) {
            int c = u / tiles, t0 = (u % tiles) * TILE, nt = Math.min(TILE, n - t0);
            int p = part[c];
            int f = formatOf[p];
            long act = f < 0 ? xAddress + 4L * t0 * cols : qAddress + formatOffset[f] * n + quantizers[f].activationRowBytes() * t0;
            parts[p].compute(act, nt, yAddress + 4L * t0 * rows, rows, offsets[p], from[c], to[c]);
        }
    }
}
