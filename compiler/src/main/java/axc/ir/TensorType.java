package axc.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Element type and shape (outermost axis first) of a value; prints as {@code f32[T,896]}. */
public record TensorType(DataType dtype, List<Dim> shape) {
    public TensorType {
        shape = List.copyOf(shape);
    }

    public static TensorType of(DataType dtype, Dim... dims) {
        return new TensorType(dtype, List.of(dims));
    }

    /** Shorthand: {@code f32(sym("T"), 896)}: ints and longs become fixed dims, strings symbols. */
    public static TensorType of(DataType dtype, Object... dims) {
        List<Dim> d = new ArrayList<>();
        for (Object o : dims) {
            d.add(switch (o) {
                case Dim x -> x;
                case Number n -> Dim.of(n.longValue());
                case String s -> Dim.parse(s);
                default -> throw new IllegalArgumentException("not a dimension: " + o);
            });
        }
        return new TensorType(dtype, d);
    }

    public static TensorType f32(Object... dims) {
        return of(DataType.F32, dims);
    }

    public static TensorType i32(Object... dims) {
        return of(DataType.I32, dims);
    }

    public int rank() {
        return shape.size();
    }

    public Dim dim(int i) {
        return shape.get(i < 0 ? shape.size() + i : i);
    }

    /** The innermost axis (features): every op in axc works row-wise along it. */
    public Dim last() {
        return shape.getLast();
    }

    /** Same element type, innermost axis replaced. */
    public TensorType withLast(Dim d) {
        List<Dim> s = new ArrayList<>(shape);
        s.set(s.size() - 1, d);
        return new TensorType(dtype, s);
    }

    public TensorType withDtype(DataType d) {
        return new TensorType(d, shape);
    }

    /** Leading axes (all but the innermost). */
    public List<Dim> leading() {
        return shape.subList(0, shape.size() - 1);
    }

    @Override
    public String toString() {
        return dtype.spelling() + shape.stream().map(Dim::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
