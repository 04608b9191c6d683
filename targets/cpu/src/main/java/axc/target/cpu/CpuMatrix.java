package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.reference.Matrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

/**
 * A weight matrix of the cpu target, the output rows split over a {@link RowPool}: on the native
 * kernels ({@link NativeKernels}: float activations, int8 activations on a {@link PackedRows#LAYOUT}
 * row, the 16-row kernels on {@link PackedRows#LAYOUT16}, or the {@link #NATIVE_BLOCKS} as stored, with
 * float or int8 activations) when they loaded, else on the Vector API
 * kernels ({@link VectorKernels}, stored GGUF blocks). The bytes are the artifact's own, read in place.
 * For {@code n} activation rows each weight row (or 16-row group) is read once and dotted with every
 * activation row while it is in cache. {@link #row} (embedding lookups) decodes the layout in Java.
 */
public final class CpuMatrix implements Matrix {
    /** Storage types with a vector kernel. */
    public static final Set<DType> FAST = Set.of(DType.F32, DType.BF16, DType.F16, DType.Q8_0, DType.Q4_0);
    /**
     * Block types with native kernels only ({@code axc_cpu_blocks.h}, GGUF blocks as stored): without
     * the native library they stay on the interpreter's decoders.
     */
    public static final Set<DType> NATIVE_BLOCKS = Set.of(DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K);

    private final MemorySegment data;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final Matrix decoder;
    private final RowPool pool;
    private final NativeScratch scratch;
    /** The C API's number for {@link #dtype}, or -1 when the Vector API kernels run this matrix. */
    private final int nativeType;
    /** Whether {@link #dtype} is one of {@link #NATIVE_BLOCKS}. */
    private final boolean blocks;
    /** Whether the int8 kernels of this matrix read activations in natural order. */
    private final boolean natural;
    /** The {@link PackedRows} layout of {@link #data}, or null for the stored (GGUF) one. */
    private final String layout;
    /** Whether {@link #data} is in {@link PackedRows#LAYOUT16}, which only the int8 kernels read. */
    private final boolean rows16;
    private final RowPool.Job rows16Job = this::computeRows16;
    private final RowPool.Job job = this::compute;
    private final RowPool.Job nativeJob = this::computeNative;
    /** Whether the activations are quantized to int8 for the native product ({@link Activations#INT8}). */
    private final boolean int8;
    private final RowPool.Job int8Job = this::computeInt8;
    private final RowPool.Job quantizeJob = this::quantize;
    private final long actRowBytes;
    private long qAddress;
    private long xAddress;
    private long yAddress;
    private final int minChunk;
    private final int maxChunk;
    private float[] x;
    private int n;
    private float[] out;
    private int outStride;
    private int outOff;

    public CpuMatrix(MemorySegment data, DType dtype, int rows, int cols, Matrix decoder, RowPool pool) {
        this(data, dtype, rows, cols, decoder, pool, null, Activations.F32, null);
    }

    /**
     * With {@code scratch}, products run on {@link NativeKernels} when they loaded here, with int8
     * activations when {@code activations} asks for them and this CPU has the instructions.
     */
    public CpuMatrix(MemorySegment data, DType dtype, int rows, int cols, Matrix decoder, RowPool pool, NativeScratch scratch,
                     Activations activations, String layout) {
        if (!runs(dtype)) throw new IllegalArgumentException("no kernel for " + dtype + " here");
        if (dtype.isQuantized() && cols % dtype.blockSize() != 0) throw new IllegalArgumentException(dtype + " rows of " + cols + " columns");
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = dtype.bytesFor(cols);
        if (data.byteSize() != rowBytes * rows) throw new IllegalArgumentException("tensor of " + data.byteSize() + " bytes is not " + rows + " x " + cols + " " + dtype);
        if (layout != null && !PackedRows.packs(dtype, new long[]{rows, cols})) throw new IllegalArgumentException(dtype + " " + rows + " x " + cols + " has no packed layout");
        if (layout != null && !layout.equals(PackedRows.LAYOUT) && !layout.equals(PackedRows.LAYOUT16)) throw new IllegalArgumentException("layout " + layout);
        if (PackedRows.LAYOUT16.equals(layout) && rows % 16 != 0) throw new IllegalArgumentException(PackedRows.LAYOUT16 + " needs rows in 16s, not " + rows);
        this.layout = layout;
        this.rows16 = PackedRows.LAYOUT16.equals(layout);
        this.decoder = decoder;
        this.pool = pool;
        this.scratch = scratch;
        // The native kernels read Q8_0 and Q4_0 weights only in the packed layout, the other block types as stored.
        this.nativeType = scratch != null && data.isNative() && NativeKernels.available()
                && (layout != null || !dtype.isQuantized() || NATIVE_BLOCKS.contains(dtype)) ? nativeType(dtype) : -1;
        this.blocks = NATIVE_BLOCKS.contains(dtype);
        if (blocks && nativeType < 0) throw new IllegalArgumentException(dtype + " rows need the native kernels and mapped weights");
        if (layout != null && nativeType < 0) throw new IllegalArgumentException("packed " + dtype + " rows need the native kernels (PackedRows.unpack first)");
        this.int8 = nativeType >= 0 && activations == Activations.INT8 && NativeKernels.axc_cpu_int8_supported(nativeType) == 1;
        if (rows16 && !int8) throw new IllegalArgumentException(PackedRows.LAYOUT16 + " is read by the int8 kernels only (repack for float activations)");
        // The 16-row and the block kernels read activations in natural order (axc_cpu_quantize_rows16).
        this.natural = rows16 || blocks;
        this.actRowBytes = !int8 ? 0 : natural ? NativeKernels.axc_cpu_act16_row_bytes(cols) : NativeKernels.axc_cpu_act_row_bytes(cols);
        // Chunks of 64 KiB to 1 MiB of weights: enough work to be worth handing to another thread, and
        // small enough that one thread's last chunk does not keep the others waiting (the output
        // matrix of a 150k-token vocabulary would otherwise go in 10 MB pieces).
        this.minChunk = (int) Math.max(1, Math.min(rows, (64 * 1024) / Math.max(1, rowBytes)));
        this.maxChunk = (int) Math.max(minChunk, (1024 * 1024) / Math.max(1, rowBytes));
    }

    public DType dtype() {
        return dtype;
    }

    /** Whether products run on the native kernels. */
    public boolean isNative() {
        return nativeType >= 0;
    }

    /** Whether products quantize the activations to int8. */
    public boolean isInt8() {
        return int8;
    }

    /** Whether this JVM has a kernel for matrices of {@code t}: a vector kernel, or a native one that loaded. */
    public static boolean runs(DType t) {
        return FAST.contains(t) || NATIVE_BLOCKS.contains(t) && NativeKernels.available();
    }

    static int nativeType(DType t) {
        return switch (t) {
            case F32 -> NativeKernels.F32;
            case F16 -> NativeKernels.F16;
            case BF16 -> NativeKernels.BF16;
            case Q8_0 -> NativeKernels.Q8_0;
            case Q4_0 -> NativeKernels.Q4_0;
            case Q4_1 -> NativeKernels.Q4_1;
            case Q5_0 -> NativeKernels.Q5_0;
            case Q5_1 -> NativeKernels.Q5_1;
            case Q4_K -> NativeKernels.Q4_K;
            case Q5_K -> NativeKernels.Q5_K;
            case Q6_K -> NativeKernels.Q6_K;
            case Q2_K -> NativeKernels.Q2_K;
            case Q3_K -> NativeKernels.Q3_K;
            default -> -1;
        };
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
        if (rows16) PackedRows.dequantizeRow16(dtype, data, r, cols, dst);
        else if (layout != null) PackedRows.dequantizeRow(dtype, data, r, cols, dst);
        else decoder.row(r, dst);
    }

    @Override
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out, rows, 0);
    }

    @Override
    public synchronized void matmul(float[] x, int n, float[] out, int outStride, int outOff) {
        if (x.length < n * cols || out.length < (n - 1) * outStride + outOff + rows) throw new IllegalArgumentException("matmul buffers too small");
        if (nativeType >= 0) {
            matmulNative(x, n, out, outStride, outOff);
            return;
        }
        this.x = x;
        this.n = n;
        this.out = out;
        this.outStride = outStride;
        this.outOff = outOff;
        try {
            pool.run(job, rows, minChunk, maxChunk);
        } finally {
            this.x = null;
            this.out = null;
        }
    }

    /**
     * The activations go to off-heap memory once, every worker's rows are written there by C, and the
     * outputs come back in one copy per activation row.
     */
    private void matmulNative(float[] x, int n, float[] out, int outStride, int outOff) {
        synchronized (scratch) {
            MemorySegment xs = scratch.x((long) n * cols);
            MemorySegment ys = scratch.y((long) n * rows);
            MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, n * cols);
            this.n = n;
            this.xAddress = xs.address();
            this.yAddress = ys.address();
            if (int8) {
                // Quantized once, rows split over the pool (a prefill has hundreds), then read by every worker.
                MemorySegment q = scratch.q(n * actRowBytes);
                this.qAddress = q.address();
                pool.run(quantizeJob, n, Math.max(1, 16384 / cols));
                this.xAddress = q.address();
            }
            if (rows16) pool.run(rows16Job, rows / 16, Math.max(1, minChunk / 16), Math.max(1, maxChunk / 16));
            else pool.run(int8 ? int8Job : nativeJob, rows, minChunk, maxChunk);
            for (int t = 0; t < n; t++) MemorySegment.copy(ys, ValueLayout.JAVA_FLOAT, 4L * t * rows, out, t * outStride + outOff, rows);
        }
    }

    private void computeNative(int from, int to, int worker) {
        int rc = blocks
                ? NativeKernels.axc_cpu_matmul_blocks(nativeType, data.address(), rowBytes, cols, xAddress, n, yAddress, rows, 0, from, to)
                : NativeKernels.axc_cpu_matmul(nativeType, data.address(), rowBytes, cols, xAddress, n, yAddress, rows, 0, from, to);
        if (rc != 0) throw new IllegalStateException("native " + dtype + " product of " + rows + " x " + cols + " refused its arguments");
    }

    /** Activation rows {@code [from, to)} to int8, in the order the kernel of this layout reads. */
    private void quantize(int from, int to, int worker) {
        int rc = natural ? NativeKernels.axc_cpu_quantize_rows16(xAddress + 4L * from * cols, to - from, cols, qAddress + actRowBytes * from)
                : NativeKernels.axc_cpu_quantize_rows(nativeType, xAddress + 4L * from * cols, to - from, cols, qAddress + actRowBytes * from);
        if (rc != 0) throw new IllegalStateException("activation rows of " + cols);
    }

    /** Groups of 16 output rows {@code [from, to)}. */
    private void computeRows16(int from, int to, int worker) {
        int rc = NativeKernels.axc_cpu_matmul_rows16(nativeType, data.address(), rowBytes, cols, xAddress, n, yAddress, rows, 0, 16 * from, 16 * to);
        if (rc != 0) throw new IllegalStateException("native 16-row " + dtype + " product of " + rows + " x " + cols + " refused its arguments");
    }

    private void computeInt8(int from, int to, int worker) {
        int rc = blocks
                ? NativeKernels.axc_cpu_matmul_blocks_int8(nativeType, data.address(), rowBytes, cols, xAddress, n, yAddress, rows, 0, from, to)
                : NativeKernels.axc_cpu_matmul_int8(nativeType, data.address(), rowBytes, cols, xAddress, n, yAddress, rows, 0, from, to);
        if (rc != 0) throw new IllegalStateException("native int8 " + dtype + " product of " + rows + " x " + cols + " refused its arguments");
    }

    private void compute(int from, int to, int worker) {
        compute(dtype, data, rowBytes, cols, x, n, out, outStride, outOff, from, to);
    }

    /** Output rows {@code [from, to)} for every activation row. */
    static void compute(DType dtype, MemorySegment w, long rowBytes, int cols, float[] x, int n, float[] out, int outStride, int outOff, int from, int to) {
        switch (dtype) {
            case F32 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotF32(w, r * rowBytes, x, t * cols, cols);
            }
            case BF16 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotBf16(w, r * rowBytes, x, t * cols, cols);
            }
            case F16 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotF16(w, r * rowBytes, x, t * cols, cols);
            }
            case Q8_0 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotQ8_0(w, r * rowBytes, x, t * cols, cols);
            }
            case Q4_0 -> {
                for (int r = from; r < to; r++) for (int t = 0; t < n; t++) out[t * outStride + outOff + r] = VectorKernels.dotQ4_0(w, r * rowBytes, x, t * cols, cols);
            }
            default -> throw new IllegalStateException("no vector kernel for " + dtype);
        }
    }
}
