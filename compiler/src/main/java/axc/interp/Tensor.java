package axc.interp;

import axc.ir.DataType;

import java.util.Arrays;

/**
 * A concrete value: an f32 or i32 array, row-major, with its shape. The interpreter works row by row
 * along the innermost axis: {@link #rows()} rows of {@link #width()} elements.
 */
public record Tensor(DataType dtype, int[] shape, float[] floats, int[] ints) {
    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) n *= d;
        int len = dtype == DataType.I32 ? ints.length : floats.length;
        if (n != len) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + len);
    }

    public static Tensor f32(float[] data, int... shape) {
        return new Tensor(DataType.F32, shape, data, null);
    }

    public static Tensor i32(int[] data, int... shape) {
        return new Tensor(DataType.I32, shape, null, data);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int width() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    public int rows() {
        int r = 1;
        for (int i = 0; i < shape.length - 1; i++) r *= shape[i];
        return r;
    }

    /** Row {@code r} of an f32 tensor, copied. */
    public float[] row(int r) {
        return Arrays.copyOfRange(floats, r * width(), (r + 1) * width());
    }

    /** The same leading axes with {@code width} features. */
    int[] shapeWithWidth(int width) {
        int[] s = shape.clone();
        s[s.length - 1] = width;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.floats, floats) && Arrays.equals(t.ints, ints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + (floats != null ? Arrays.hashCode(floats) : Arrays.hashCode(ints));
    }

    @Override
    public String toString() {
        return dtype.spelling() + Arrays.toString(shape);
    }
}
