package axc.formats.gguf;

import axc.formats.dtype.DType;
import axc.formats.tensor.TensorInfo;

/**
 * A GGUF tensor: {@code ne} is ggml's shape, innermost (row length) first; {@link #info()} gives the
 * common outermost-first view. {@code offset} is relative to the start of the data section.
 */
public record GgufTensorInfo(String name, DType dtype, long[] ne, long offset, long byteSize) {
    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    public TensorInfo info() {
        long[] shape = new long[ne.length];
        for (int i = 0; i < ne.length; i++) shape[i] = ne[ne.length - 1 - i];
        return new TensorInfo(name, dtype, shape, offset, byteSize);
    }

    public static long[] neOf(long[] shape) {
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) ne[i] = shape[shape.length - 1 - i];
        return ne;
    }
}
