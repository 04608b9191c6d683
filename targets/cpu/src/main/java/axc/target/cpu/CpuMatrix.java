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
    private final RowPool.Job job = this::compute;
    /** Whether the activations are quantized to int8 for the native product ({@link Activations#INT8}). */
    private final boolean int8;
    private final long actRowBytes;
    /** The native product of this matrix alone; null on the Vector API kernels. */
    private final StackedProduct product;
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
        this.product = nativeType >= 0 ? new StackedProduct(new CpuMatrix[]{this}, pool, scratch) : null;
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
        if (product != null) {
            product.matmul(x, n, out, outStride, outOff);
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

    /** The pool the products run on. */
    RowPool pool() {
        return pool;
    }

    /** The scratch the native products use (null on the Vector API kernels). */
    NativeScratch scratch() {
        return scratch;
    }

    long rowBytes() {
        return rowBytes;
    }

    /** Output rows a native kernel call covers at a time: 16 in {@link PackedRows#LAYOUT16}, else 1. */
    int band() {
        return rows16 ? 16 : 1;
    }

    /**
     * How the native kernels of this matrix read activations: {@code -1} floats, {@code 0} int8 in natural
     * order ({@code axc_cpu_quantize_rows16}), else {@code 1 +} the type whose row layout they follow.
     * Matrices of one format can share one quantization of their input.
     */
    int activationFormat() {
        if (!int8) return -1;
        return natural ? 0 : 1 + nativeType;
    }

    /** Bytes of one quantized activation row ({@link #activationFormat} >= 0). */
    long activationRowBytes() {
        return actRowBytes;
    }

    /** Activation rows {@code [from, to)} of {@code x} (floats) to int8 at {@code q}, in this matrix's format. */
    void quantize(long x, long q, int from, int to) {
        int rc = natural ? NativeKernels.axc_cpu_quantize_rows16(x + 4L * from * cols, to - from, cols, q + actRowBytes * from)
                : NativeKernels.axc_cpu_quantize_rows(nativeType, x + 4L * from * cols, to - from, cols, q + actRowBytes * from);
        if (rc != 0) throw new IllegalStateException("activation rows of " + cols);
    }

    /**
     * Output rows {@code [from, to)} (whole {@link #band}s) of the product with the {@code n} activation
     * rows at {@code act} (floats, or this matrix's int8 format), into {@code y[t * yStride + yOff + r]}.
     */
    void compute(long act, int n, long y, int yStride, int yOff, int from, int to) {
        long w = data.address();
        int rc;
        if (rows16) rc = NativeKernels.axc_cpu_matmul_rows16(nativeType, w, rowBytes, cols, act, n, y, yStride, yOff, from, to);
        else if (int8) rc = blocks ? NativeKernels.axc_cpu_matmul_blocks_int8(nativeType, w, rowBytes, cols, act, n, y, yStride, yOff, from, to)
                : NativeKernels.axc_cpu_matmul_int8(nativeType, w, rowBytes, cols, act, n, y, yStride, yOff, from, to);
        else rc = blocks ? NativeKernels.axc_cpu_matmul_blocks(nativeType, w, rowBytes, cols, act, n, y, yStride, yOff, from, to)
                : NativeKernels.axc_cpu_matmul(nativeType, w, rowBytes, cols, act, n, y, yStride, yOff, from, to);
        if (rc != 0) throw new IllegalStateException("native " + (int8 ? "int8 " : "") + dtype + " product of " + rows + " x " + cols + " refused its arguments");
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
