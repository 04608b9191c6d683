package axc.formats.tensor;

import axc.formats.dtype.DType;

import java.util.Arrays;

/**
 * A tensor's description: name, element type, shape (outermost first, as in PyTorch and safetensors)
 * and its byte range inside the file that holds it.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long offset, long byteSize) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** Element count; throws ArithmeticException when the product overflows 64 bits. */
    public long elements() {
        return elementCount(shape);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && t.offset == offset && t.byteSize == byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
