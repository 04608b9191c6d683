package axc.target.cpu;

import axc.bundle.BundleTensors;
import axc.errors.InvalidInputException;
import axc.formats.convert.GgufNames;
import axc.formats.quant.Dequantizer;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.interp.OpKernels;
import axc.interp.ParamSource;
import axc.ir.WeightScheme;
import axc.reference.GptqMatrix;
import axc.reference.Int8ChannelMatrix;
import axc.reference.Matrix;
import axc.reference.SegmentMatrix;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The interpreter's params with the matrices the cpu target has kernels for ({@link CpuMatrix#runs})
 * swapped for {@link CpuMatrix} views of the same stored bytes, int8 channels for {@link CpuInt8Matrix}
 * and 4-bit grouped (GPTQ-layout) matrices for {@link CpuInt4Matrix} where the native kernels loaded.
 * Everything else (other block types, GPTQ whose g_idx does not split into whole groups, vectors) is
 * what {@code params} gives: the interpreter's decoders. Attention and SwiGLU run on {@link CpuOpKernels}.
 */
record CpuParams(ParamSource params, TensorStore store, RowPool pool, NativeScratch scratch, Activations activations, OpKernels kernels,
                 WeightMemory memory) implements ParamSource {
    CpuParams(ParamSource params, TensorStore store, RowPool pool, Activations activations) {
        this(params, store, pool, activations, WeightMemory.configured());
    }

    CpuParams(ParamSource params, TensorStore store, RowPool pool, Activations activations, WeightMemory.Mode weights) {
        this(params, store, pool, new NativeScratch(), activations, new CpuOpKernels(pool), new WeightMemory(weights, pool));
    }

    @Override
    public Matrix matrix(String name, WeightScheme scheme) {
        TensorInfo t = find(name);
        String layout = t != null && store instanceof BundleTensors bt ? bt.layout(t.name()).orElse(null) : null;
        if (layout != null) return packed(t, layout);
        Matrix m = params.matrix(name, scheme);
        if (m instanceof Int8ChannelMatrix i8 && NativeKernels.available() && i8.codes().isNative()) return new CpuInt8Matrix(i8, pool, scratch, memory);
        if (m instanceof GptqMatrix g4 && NativeKernels.available() && g4.qweight().isNative() && g4.groupSize() % 8 == 0 && CpuInt4Matrix.takes(g4)) {
            return new CpuInt4Matrix(g4, pool, scratch, memory);
        }
        if (!(scheme instanceof WeightScheme.Stored s) || !CpuMatrix.runs(s.dtype()) || !(m instanceof SegmentMatrix)) return m;
        if (t == null || t.dtype() != s.dtype() || t.rank() != 2 || t.dim(0) != m.rows() || t.dim(1) != m.cols()) return m;
        if (s.dtype().isQuantized() && m.cols() % s.dtype().blockSize() != 0) return m;
        if (CpuMatrix.NATIVE_BLOCKS.contains(s.dtype()) && !store.data(t.name()).isNative()) return m;
        return new CpuMatrix(memory.place(store.data(t.name())), s.dtype(), m.rows(), m.cols(), m, pool, scratch, activations, null);
    }

    /**
     * Matrices with the same input run as one {@link StackedProduct} when each is on the native kernels
     * (one quantization of the activations, one hand-over to the pool); otherwise in turn.
     */
    @Override
    public Matrix product(List<Matrix> parts) {
        if (parts.size() < 2) return ParamSource.super.product(parts);
        CpuMatrix[] stack = new CpuMatrix[parts.size()];
        for (int i = 0; i < stack.length; i++) {
            if (!(parts.get(i) instanceof CpuMatrix m) || !m.isNative() || m.cols() != parts.getFirst().cols()) return ParamSource.super.product(parts);
            stack[i] = m;
        }
        return new StackedProduct(stack, pool, scratch);
    }

    private TensorInfo find(String name) {
        return store.contains(name) ? store.get(name) : GgufNames.toGguf(name).flatMap(store::find).orElse(null);
    }

    /**
     * A matrix the artifact holds in one of {@link PackedRows}' layouts: read in place where this
     * machine's kernels read that layout (the 16-row one needs int8 activations on VNNI); otherwise
     * repacked in memory, for the native float kernels ({@link PackedRows#LAYOUT}) or, without the
     * native library, the Vector API kernels (stored blocks).
     */
    private Matrix packed(TensorInfo t, String layout) {
        boolean known = layout.equals(PackedRows.LAYOUT) && PackedRows.hasRowLayout(t.dtype()) || layout.equals(PackedRows.LAYOUT16) && t.dim(0) % 16 == 0;
        if (!known || !PackedRows.packs(t.dtype(), t.shape())) {
            throw InvalidInputException.of(store.files().getFirst(), "tensor " + t.name() + ": unknown layout " + layout + " for " + t.dtype() + " " + t.shapeString());
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        MemorySegment data = store.data(t.name());
        boolean nat = NativeKernels.available();
        if (layout.equals(PackedRows.LAYOUT16)) {
            boolean int8 = nat && activations == Activations.INT8 && NativeKernels.axc_cpu_int8_supported(CpuMatrix.nativeType(t.dtype())) == 1;
            if (int8) return new CpuMatrix(memory.place(data), t.dtype(), rows, cols, null, pool, scratch, activations, PackedRows.LAYOUT16);
            MemorySegment blocks = PackedRows.unpack16(t.dtype(), rows, cols, data);
            SegmentMatrix decoder = decoder(blocks, t, rows, cols);
            // Q5_0 has no row layout: as stored blocks on the native kernels, else on the decoders.
            if (!PackedRows.hasRowLayout(t.dtype())) return nat ? new CpuMatrix(blocks, t.dtype(), rows, cols, decoder, pool, scratch, activations, null) : decoder;
            if (!nat) return new CpuMatrix(blocks, t.dtype(), rows, cols, decoder, pool);
            MemorySegment byRow = memory.allocate(blocks.byteSize());
            PackedRows.pack(t.dtype(), cols, blocks, 0, rows, byRow);
            return new CpuMatrix(byRow, t.dtype(), rows, cols, null, pool, scratch, activations, PackedRows.LAYOUT);
        }
        if (nat) return new CpuMatrix(memory.place(data), t.dtype(), rows, cols, null, pool, scratch, activations, PackedRows.LAYOUT);
        MemorySegment blocks = PackedRows.unpack(t.dtype(), rows, cols, data);
        return new CpuMatrix(blocks, t.dtype(), rows, cols, decoder(blocks, t, rows, cols), pool);
    }

    /** The interpreter's decoder over GGUF blocks in memory. */
    private static SegmentMatrix decoder(MemorySegment blocks, TensorInfo t, int rows, int cols) {
        return new SegmentMatrix(blocks, t.dtype(), rows, cols, (d, src, off, dst, n) -> Dequantizer.dequantize(d, src, off, dst, 0, n));
    }

    @Override
    public float[] vector(String name) {
        return params.vector(name);
    }
}
