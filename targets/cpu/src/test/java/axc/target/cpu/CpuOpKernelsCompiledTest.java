package axc.target.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The vector kernels give the same bits on their first calls, interpreted, as after C2 has compiled
 * them. Two of Vector API's operations do not: {@code lanewise(EXP)} (the platform's vector math
 * library once compiled) and {@code reduceLanes(ADD)} (another order of additions once compiled), and
 * with them the same prompt gave logits an ulp apart from one run to the next, which int8 activations
 * turned into a 0.8% change of `axc validate`'s NMSE. Each kernel runs a few thousand times between
 * the first result and the last, enough for C2 to compile its loops here.
 */
class CpuOpKernelsCompiledTest {
    private static final int WARM = 3000;

    @Test
    void swiglu() {
        Random rnd = new Random(5);
        int n = 4096 + 7;
        float[] gate = gaussian(rnd, n, 4), up = gaussian(rnd, n, 1);
        try (RowPool pool = new RowPool(1)) {
            CpuOpKernels k = new CpuOpKernels(pool);
            float[] first = new float[n], later = new float[n];
            k.swiglu(gate, up, first, n);
            for (int i = 0; i < WARM; i++) k.swiglu(gate, up, later, n);
            assertSameBits(first, later);
        }
    }

    @Test
    void rmsNorm() {
        Random rnd = new Random(6);
        int rows = 64, n = 896 + 5;
        float[] x = gaussian(rnd, rows * n, 3), w = gaussian(rnd, n, 1);
        try (RowPool pool = new RowPool(1)) {
            CpuOpKernels k = new CpuOpKernels(pool);
            float[] first = new float[rows * n], later = new float[rows * n];
            k.rmsNorm(x, rows, n, w, first, 1e-6);
            for (int i = 0; i < WARM; i++) k.rmsNorm(x, rows, n, w, later, 1e-6);
            assertSameBits(first, later);
        }
    }

    /** A prefill chunk after cached positions: the scores, their softmax and the weighted values. */
    @Test
    void attention() {
        Random rnd = new Random(7);
        int rows = 5, heads = 4, kvHeads = 2, d = 64, prefix = 40, kvDim = kvHeads * d;
        float[] keys = gaussian(rnd, (rows + prefix) * kvDim, 1), values = gaussian(rnd, (rows + prefix) * kvDim, 1);
        float[] q = gaussian(rnd, rows * heads * d, 1);
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = prefix + r;
        try (RowPool pool = new RowPool(1)) {
            CpuOpKernels k = new CpuOpKernels(pool);
            float[] first = new float[rows * heads * d], later = new float[first.length];
            k.attention(q, rows, positions, keys, values, kvDim, heads, kvHeads, d, first);
            for (int i = 0; i < WARM; i++) k.attention(q, rows, positions, keys, values, kvDim, heads, kvHeads, d, later);
            assertSameBits(first, later);
        }
    }

    private static void assertSameBits(float[] first, float[] later) {
        for (int i = 0; i < first.length; i++) assertEquals(Float.floatToIntBits(first[i]), Float.floatToIntBits(later[i]), "element " + i);
    }

    private static float[] gaussian(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }
}
