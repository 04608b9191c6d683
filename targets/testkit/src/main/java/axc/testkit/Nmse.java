package axc.testkit;

import axc.interp.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Normalised mean squared error, {@code sum((actual - expected)^2) / sum(expected^2)} in double: 0 for
 * identical values, about 1 for unrelated ones, independent of the values' scale. A NaN or infinity
 * in one tensor that the other does not have at the same place is {@link Double#POSITIVE_INFINITY}.
 */
public final class Nmse {
    private double err;
    private double ref;
    private boolean broken;
    private String problem;

    /** Adds a pair of tensors (same shape and type). */
    public Nmse add(Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.shape(), actual.shape()) || expected.dtype() != actual.dtype()) {
            broken = true;
            problem = "expected " + expected + ", got " + actual;
            return this;
        }
        if (expected.floats() == null) {
            if (!Arrays.equals(expected.ints(), actual.ints())) {
                broken = true;
                problem = "integer outputs differ";
            }
            return this;
        }
        return add(expected.floats(), actual.floats());
    }

    public Nmse add(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            broken = true;
            problem = "expected " + expected.length + " values, got " + actual.length;
            return this;
        }
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (!Float.isFinite(e) || !Float.isFinite(a)) {
                if (Float.compare(e, a) != 0) {
                    broken = true;
                    problem = "value " + i + ": expected " + e + ", got " + a;
                }
                continue;
            }
            double d = (double) a - e;
            err += d * d;
            ref += (double) e * e;
        }
        return this;
    }

    public Nmse addAll(List<Tensor> expected, List<Tensor> actual) {
        if (expected.size() != actual.size()) {
            broken = true;
            problem = "expected " + expected.size() + " outputs, got " + actual.size();
            return this;
        }
        for (int i = 0; i < expected.size(); i++) add(expected.get(i), actual.get(i));
        return this;
    }

    public double value() {
        if (broken) return Double.POSITIVE_INFINITY;
        if (err == 0) return 0;
        return err / Math.max(ref, 1e-30);
    }

    /** Why the value is infinite, or null. */
    public String problem() {
        return problem;
    }

    public static double of(float[] expected, float[] actual) {
        return new Nmse().add(expected, actual).value();
    }
}
