package axc.interp;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.ir.WeightScheme;
import axc.reference.GptqMatrix;
import axc.reference.Int8ChannelMatrix;
import axc.reference.Matrix;
import axc.reference.SegmentMatrix;

/**
 * Params of any graph from a tensor store, decoded as each param's {@code scheme} says rather than as
 * a model config says (compare {@link WeightsParams}). For a matrix param {@code P} (base name
 * {@code B}: {@code P} without a trailing {@code .weight}):
 *
 * <ul>
 *   <li>{@code f32}, {@code f16}, {@code bf16}, llama.cpp block types: tensor {@code P} of that dtype, {@code [rows, cols]};</li>
 *   <li>{@code gptq_int4_gN}: {@code B.qweight} i32 {@code [cols/8, rows]}, {@code B.qzeros} i32
 *       {@code [cols/N, rows/8]}, {@code B.scales} f16 {@code [cols/N, rows]}, optional {@code B.g_idx} i32 {@code [cols]};</li>
 *   <li>{@code int8_channel}, {@code w8a8}: tensor {@code P} i8 {@code [rows, cols]} and {@code B.weight_scale}
 *       (any float dtype) {@code [rows]}.</li>
 * </ul>
 *
 * Vectors are tensor {@code P} in any float dtype. These are the Hugging Face names of the same layouts,
 * and what graph artifacts (target API 2) store.
 */
public record StoredParams(TensorStore store) implements ParamSource {
    private static final SegmentMatrix.RowDecoder BLOCKS = (t, src, off, dst, n) -> Dequantizer.dequantize(t, src, off, dst, 0, n);

    /** {@code name} without a trailing {@code .weight}. */
    public static String base(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    @Override
    public Matrix matrix(String name, WeightScheme scheme) {
        String b = base(name);
        return switch (scheme) {
            case WeightScheme.Stored s -> {
                TensorInfo t = info(name);
                if (t.dtype() != s.dtype() || t.rank() != 2) throw new InvalidInputException("tensor " + name + " is " + t.dtype() + " " + t.shapeString() + ", the graph reads a " + s.spelling() + " matrix");
                yield new SegmentMatrix(store.data(name), t.dtype(), (int) t.dim(0), (int) t.dim(1), BLOCKS);
            }
            case WeightScheme.GptqInt4 g -> {
                TensorInfo qw = info(b + ".qweight");
                int rows = (int) qw.dim(1);
                int cols = (int) qw.dim(0) * 8;
                yield new GptqMatrix(rows, cols, g.groupSize(), store.data(b + ".qweight"), store.data(b + ".qzeros"), store.data(b + ".scales"),
                        store.contains(b + ".g_idx") ? store.data(b + ".g_idx") : null);
            }
            case WeightScheme.Int8Channel i -> {
                TensorInfo t = info(name);
                if (t.dtype() != DType.I8 || t.rank() != 2) throw new InvalidInputException("tensor " + name + " is " + t.dtype() + " " + t.shapeString() + ", the graph reads an int8 matrix");
                yield new Int8ChannelMatrix((int) t.dim(0), (int) t.dim(1), store.data(name), vector(b + ".weight_scale"), i.int8Activations());
            }
        };
    }

    @Override
    public float[] vector(String name) {
        TensorInfo t = info(name);
        float[] v = new float[Math.toIntExact(t.elements())];
        new SegmentMatrix(store.data(name), t.dtype(), 1, v.length, BLOCKS).row(0, v);
        return v;
    }

    private TensorInfo info(String name) {
        return store.find(name).orElseThrow(() -> new InvalidInputException("tensor " + name + " is missing"));
    }
}
