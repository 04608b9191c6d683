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
import axc.reference.Matrix;
import axc.reference.SegmentMatrix;

import java.lang.foreign.MemorySegment;

/**
 * The interpreter's params with the matrices the cpu target has kernels for ({@link CpuMatrix#FAST})
 * swapped for {@link CpuMatrix} views of the same stored bytes. Everything else (other block types,
 * GPTQ, int8 channels, vectors) is what {@code params} gives: the interpreter's decoders. Attention
 * and SwiGLU run on {@link CpuOpKernels}.
 */
record CpuParams(ParamSource params, TensorStore store, RowPool pool, NativeScratch scratch, Activations activations, OpKernels kernels)
        implements ParamSource {
    CpuParams(ParamSource params, TensorStore store, RowPool pool, Activations activations) {
        this(params, store, pool, new NativeScratch(), activations, new CpuOpKernels(pool));
    }

    @Override
    public Matrix matrix(String name, WeightScheme scheme) {
        TensorInfo t = find(name);
        String layout = t != null && store instanceof BundleTensors bt ? bt.layout(t.name()).orElse(null) : null;
        if (layout != null) return packed(t, layout);
        Matrix m = params.matrix(name, scheme);
        if (!(scheme instanceof WeightScheme.Stored s) || !CpuMatrix.FAST.contains(s.dtype()) || !(m instanceof SegmentMatrix)) return m;
        if (t == null || t.dtype() != s.dtype() || t.rank() != 2 || t.dim(0) != m.rows() || t.dim(1) != m.cols()) return m;
        if (s.dtype().isQuantized() && m.cols() % 32 != 0) return m;
        return new CpuMatrix(store.data(t.name()), s.dtype(), m.rows(), m.cols(), m, pool, scratch, activations, false);
    }

    private TensorInfo find(String name) {
        return store.contains(name) ? store.get(name) : GgufNames.toGguf(name).flatMap(store::find).orElse(null);
    }

    /**
     * A matrix the artifact holds in {@link PackedRows}' layout: the native kernels read it as it is;
     * without them it is unpacked into memory for the Vector API kernels, which read stored blocks.
     */
    private Matrix packed(TensorInfo t, String layout) {
        if (!layout.equals(PackedRows.LAYOUT) || !PackedRows.packs(t.dtype(), t.shape())) {
            throw InvalidInputException.of(store.files().getFirst(), "tensor " + t.name() + ": unknown layout " + layout + " for " + t.dtype());
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        MemorySegment data = store.data(t.name());
        if (NativeKernels.available()) return new CpuMatrix(data, t.dtype(), rows, cols, null, pool, scratch, activations, true);
        MemorySegment blocks = PackedRows.unpack(t.dtype(), rows, cols, data);
        return new CpuMatrix(blocks, t.dtype(), rows, cols, new SegmentMatrix(blocks, t.dtype(), rows, cols, (d, src, off, dst, n) -> Dequantizer.dequantize(d, src, off, dst, 0, n)), pool);
    }

    @Override
    public float[] vector(String name) {
        return params.vector(name);
    }
}
