package axc.target.cpu;

import axc.interp.OpKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector attention, SwiGLU and RMSNorm against the reference's float64 loops: decode and prefill shapes, grouped heads. */
class CpuOpKernelsTest {
    /**
     * {@code prefix} cached positions before the rows: decode steps (one row) over short and long
     * contexts, and head dimensions that leave lane tails, besides the prefill chunks.
     */
    @ParameterizedTest(name = "{0} rows after {5}, {1} heads / {2} kv heads, d {3}, {4} threads")
    @CsvSource({"1,14,2,64,2,19", "5,4,4,16,2,19", "37,14,2,64,2,19", "9,6,3,20,1,19", "3,2,1,8,3,19",
            "1,14,2,64,2,150", "1,14,2,64,1,64", "1,6,3,20,2,129", "1,8,2,32,2,3", "1,4,4,16,3,70"})
    void agreesWithTheReference(int rows, int heads, int kvHeads, int d, int threads, int prefix) {
        Random rnd = new Random(rows * 7L + heads + prefix);
        int kvDim = kvHeads * d;
        int capacity = rows + prefix + 1;
        float[] keys = gaussian(rnd, capacity * kvDim);
        float[] values = gaussian(rnd, capacity * kvDim);
        float[] q = gaussian(rnd, rows * heads * d);
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = prefix + r;   // after the prefix, as a prefill chunk or a decode step
        float[] want = new float[rows * heads * d];
        OpKernels.REFERENCE.attention(q, rows, positions, keys, values, kvDim, heads, kvHeads, d, want);
        float[] got = new float[want.length];
        try (RowPool pool = new RowPool(threads)) {
            new CpuOpKernels(pool).attention(q, rows, positions, keys, values, kvDim, heads, kvHeads, d, got);
        }
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-5 * (1 + Math.abs(want[i])), "element " + i);
    }

    @ParameterizedTest(name = "{0} elements, {1} threads")
    @CsvSource({"4864,2", "7,1", "2490368,2", "100003,3"})
    void swigluAgreesWithTheReference(int n, int threads) {
        Random rnd = new Random(n);
        float[] gate = gaussian(rnd, n);
        float[] up = gaussian(rnd, n);
        gate[0] = 80f;     // exp(-x) underflows: silu(x) = x
        if (n > 1) gate[1] = -80f;   // exp(-x) overflows to infinity: silu(x) = -0
        float[] want = new float[n];
        OpKernels.REFERENCE.swiglu(gate, up, want, n);
        float[] got = new float[n];
        try (RowPool pool = new RowPool(threads)) {
            new CpuOpKernels(pool).swiglu(gate, up, got, n);
        }
        for (int i = 0; i < n; i++) assertEquals(want[i], got[i], 1e-6 * (1 + Math.abs(want[i])), "element " + i);
    }

    @ParameterizedTest(name = "{0} rows of {1}, {2} threads")
    @CsvSource({"1,896,2", "512,896,2", "7,45,1", "33,4864,3"})
    void rmsNormAgreesWithTheReference(int rows, int n, int threads) {
        Random rnd = new Random(rows * 3L + n);
        float[] x = gaussian(rnd, rows * n);
        float[] w = gaussian(rnd, n);
        float[] want = new float[x.length];
        OpKernels.REFERENCE.rmsNorm(x, rows, n, w, want, 1e-6);
        float[] got = new float[x.length];
        try (RowPool pool = new RowPool(threads)) {
            new CpuOpKernels(pool).rmsNorm(x, rows, n, w, got, 1e-6);
        }
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6 * (1 + Math.abs(want[i])), "element " + i);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * 2;
        return a;
    }
}
