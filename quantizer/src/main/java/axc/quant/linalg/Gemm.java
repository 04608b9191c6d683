package axc.quant.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * {@code C += A * B} on row-major slices of arrays, the one dense kernel the quantizers need (GPTQ's
 * lazy updates, the Cholesky trailing update, Hessian and output-error products).
 *
 * <p>Register-blocked: a 4-row by 2-vector tile of C stays in registers while {@code k} runs, so each
 * loaded vector of B feeds four fused multiply-adds. Columns of B are taken in panels that fit in L2,
 * and rows of A are split across the common pool, since the work per call is large (the smallest
 * callers are a few MFLOP). Edges fall back to scalar loops.
 */
public final class Gemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Columns of B per panel: 256 columns x 128 k of float is 128 KiB, well inside L2. */
    private static final int PANEL = 256;
    /** Rows of A per parallel task. */
    private static final int ROWS_PER_TASK = 32;
    /** Below this many multiply-adds a call stays on the calling thread. */
    private static final long PARALLEL_WORK = 1L << 21;

    private Gemm() {
    }

    /**
     * {@code c[cOff + i*ldc + j] += sum_k a[aOff + i*lda + k] * b[bOff + k*ldb + j]} for {@code i < m},
     * {@code j < n}, {@code k < kk}.
     */
    public static void multiplyAdd(int m, int n, int kk, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0 || kk <= 0) return;
        int tasks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        if (tasks == 1 || (long) m * n * kk < PARALLEL_WORK) {
            rowsF(0, m, n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int i0 = t * ROWS_PER_TASK;
                rowsF(i0, Math.min(m, i0 + ROWS_PER_TASK), n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            });
        }
    }

    /** The double-precision form of {@link #multiplyAdd(int, int, int, float[], int, int, float[], int, int, float[], int, int)}. */
    public static void multiplyAdd(int m, int n, int kk, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                                   double[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0 || kk <= 0) return;
        int tasks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        if (tasks == 1 || (long) m * n * kk < PARALLEL_WORK) {
            rowsD(0, m, n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            IntStream.range(0, tasks).parallel().forEach(t -> {
                int i0 = t * ROWS_PER_TASK;
                rowsD(i0, Math.min(m, i0 + ROWS_PER_TASK), n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            });
        }
    }

    private static void rowsF(int i0, int i1, int n, int kk, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float[] c, int cOff, int ldc) {
        int w = 2 * F.length();
        for (int j0 = 0; j0 < n; j0 += PANEL) {
            int j1 = Math.min(n, j0 + PANEL);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int a0 = aOff + i * lda, c0 = cOff + i * ldc;
                int j = j0;
                for (; j + w <= j1; j += w) tileF(kk, a, a0, lda, b, bOff + j, ldb, c, c0 + j, ldc);
                if (j < j1) for (int r = 0; r < 4; r++) scalarRowF(j, j1, kk, a, a0 + r * lda, b, bOff, ldb, c, c0 + r * ldc);
            }
            for (; i < i1; i++) scalarRowF(j0, j1, kk, a, aOff + i * lda, b, bOff, ldb, c, cOff + i * ldc);
        }
    }

    /** The 4 x 2-vector tile at {@code c[c0..]}; accumulators are locals so they live in registers. */
    private static void tileF(int kk, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] c, int c0, int ldc) {
        int v = F.length();
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        for (int k = 0; k < kk; k++) {
            int bk = b0 + k * ldb;
            FloatVector b0v = FloatVector.fromArray(F, b, bk);
            FloatVector b1v = FloatVector.fromArray(F, b, bk + v);
            FloatVector x0 = FloatVector.broadcast(F, a[a0 + k]);
            c00 = x0.fma(b0v, c00);
            c01 = x0.fma(b1v, c01);
            FloatVector x1 = FloatVector.broadcast(F, a[a0 + lda + k]);
            c10 = x1.fma(b0v, c10);
            c11 = x1.fma(b1v, c11);
            FloatVector x2 = FloatVector.broadcast(F, a[a0 + 2 * lda + k]);
            c20 = x2.fma(b0v, c20);
            c21 = x2.fma(b1v, c21);
            FloatVector x3 = FloatVector.broadcast(F, a[a0 + 3 * lda + k]);
            c30 = x3.fma(b0v, c30);
            c31 = x3.fma(b1v, c31);
        }
        addInto(c00, c01, c, c0, v);
        addInto(c10, c11, c, c0 + ldc, v);
        addInto(c20, c21, c, c0 + 2 * ldc, v);
        addInto(c30, c31, c, c0 + 3 * ldc, v);
    }

    private static void addInto(FloatVector x, FloatVector y, float[] c, int at, int v) {
        FloatVector.fromArray(F, c, at).add(x).intoArray(c, at);
        FloatVector.fromArray(F, c, at + v).add(y).intoArray(c, at + v);
    }

    private static void scalarRowF(int j0, int j1, int kk, float[] a, int aRow, float[] b, int bOff, int ldb, float[] c, int cRow) {
        for (int k = 0; k < kk; k++) {
            float x = a[aRow + k];
            if (x == 0f) continue;
            int bk = bOff + k * ldb;
            for (int j = j0; j < j1; j++) c[cRow + j] += x * b[bk + j];
        }
    }

    private static void rowsD(int i0, int i1, int n, int kk, double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                              double[] c, int cOff, int ldc) {
        int w = 2 * D.length();
        int panel = PANEL / 2;
        for (int j0 = 0; j0 < n; j0 += panel) {
            int j1 = Math.min(n, j0 + panel);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int a0 = aOff + i * lda, c0 = cOff + i * ldc;
                int j = j0;
                for (; j + w <= j1; j += w) tileD(kk, a, a0, lda, b, bOff + j, ldb, c, c0 + j, ldc);
                if (j < j1) for (int r = 0; r < 4; r++) scalarRowD(j, j1, kk, a, a0 + r * lda, b, bOff, ldb, c, c0 + r * ldc);
            }
            for (; i < i1; i++) scalarRowD(j0, j1, kk, a, aOff + i * lda, b, bOff, ldb, c, cOff + i * ldc);
        }
    }

    private static void tileD(int kk, double[] a, int a0, int lda, double[] b, int b0, int ldb, double[] c, int c0, int ldc) {
        int v = D.length();
        DoubleVector c00 = DoubleVector.zero(D), c01 = DoubleVector.zero(D);
        DoubleVector c10 = DoubleVector.zero(D), c11 = DoubleVector.zero(D);
        DoubleVector c20 = DoubleVector.zero(D), c21 = DoubleVector.zero(D);
        DoubleVector c30 = DoubleVector.zero(D), c31 = DoubleVector.zero(D);
        for (int k = 0; k < kk; k++) {
            int bk = b0 + k * ldb;
            DoubleVector b0v = DoubleVector.fromArray(D, b, bk);
            DoubleVector b1v = DoubleVector.fromArray(D, b, bk + v);
            DoubleVector x0 = DoubleVector.broadcast(D, a[a0 + k]);
            c00 = x0.fma(b0v, c00);
            c01 = x0.fma(b1v, c01);
            DoubleVector x1 = DoubleVector.broadcast(D, a[a0 + lda + k]);
            c10 = x1.fma(b0v, c10);
            c11 = x1.fma(b1v, c11);
            DoubleVector x2 = DoubleVector.broadcast(D, a[a0 + 2 * lda + k]);
            c20 = x2.fma(b0v, c20);
            c21 = x2.fma(b1v, c21);
            DoubleVector x3 = DoubleVector.broadcast(D, a[a0 + 3 * lda + k]);
            c30 = x3.fma(b0v, c30);
            c31 = x3.fma(b1v, c31);
        }
        addInto(c00, c01, c, c0, v);
        addInto(c10, c11, c, c0 + ldc, v);
        addInto(c20, c21, c, c0 + 2 * ldc, v);
        addInto(c30, c31, c, c0 + 3 * ldc, v);
    }

    private static void addInto(DoubleVector x, DoubleVector y, double[] c, int at, int v) {
        DoubleVector.fromArray(D, c, at).add(x).intoArray(c, at);
        DoubleVector.fromArray(D, c, at + v).add(y).intoArray(c, at + v);
    }

    private static void scalarRowD(int j0, int j1, int kk, double[] a, int aRow, double[] b, int bOff, int ldb, double[] c, int cRow) {
        for (int k = 0; k < kk; k++) {
            double x = a[aRow + k];
            if (x == 0) continue;
            int bk = bOff + k * ldb;
            for (int j = j0; j < j1; j++) c[cRow + j] += x * b[bk + j];
        }
    }
}
