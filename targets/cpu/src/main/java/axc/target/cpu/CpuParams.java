package axc.target.cpu;

import axc.formats.convert.GgufNames;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.interp.ParamSource;
import axc.ir.WeightScheme;
import axc.reference.Matrix;
import axc.reference.SegmentMatrix;

/**
 * The interpreter's params with the matrices the cpu target has kernels for ({@link CpuMatrix#FAST})
 * swapped for {@link CpuMatrix} views of the same stored bytes. Everything else (other block types,
 * GPTQ, int8 channels, vectors) is what {@code params} gives: the interpreter's decoders.
 */
record CpuParams(ParamSource params, TensorStore store, RowPool pool) implements ParamSource {
    @Override
    public Matrix matrix(String name, WeightScheme scheme) {
        Matrix m = params.matrix(name, scheme);
        if (!(scheme instanceof WeightScheme.Stored s) || !CpuMatrix.FAST.contains(s.dtype()) || !(m instanceof SegmentMatrix)) return m;
        TensorInfo t = store.contains(name) ? store.get(name) : GgufNames.toGguf(name).flatMap(store::find).orElse(null);
        if (t == null || t.dtype() != s.dtype() || t.rank() != 2 || t.dim(0) != m.rows() || t.dim(1) != m.cols()) return m;
        if (s.dtype().isQuantized() && m.cols() % 32 != 0) return m;
        return new CpuMatrix(store.data(t.name()), s.dtype(), m.rows(), m.cols(), m, pool);
    }

    @Override
    public float[] vector(String name) {
        return params.vector(name);
    }
}
