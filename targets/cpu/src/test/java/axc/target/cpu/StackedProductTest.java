package axc.target.cpu;

import axc.formats.dtype.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Matrices of every kernel family stacked in one product give, column range by column range, what
 * each gives alone: Q8_0 and Q4_0 in the 16-row layout (int8 activations in natural order), Q8_0 by
 * row (its own activation format), Q4_K as stored (natural order too, shared with the 16-row parts)
 * and F32 (float activations). The parts are large enough to be cut into several chunks, and the
 * outputs land in a slice of a wider buffer. The F32 part is also held to a float64 dot product.
 */
class StackedProductTest {
    private static final int COLS = 512;
    private static RowPool pool;

    @BeforeAll
    static void start() {
        pool = new RowPool(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @ParameterizedTest(name = "{0} activation rows")
    @ValueSource(ints = {1, 3, 6, 300}) // 300: three tiles of activation rows, the last partial
    void eachPartGivesWhatItGivesAlone(int n) {
        assertTrue(NativeKernels.available(), NativeKernels.unavailableReason());
        // Without VNNI the matrices take float activations and the row layout: a stack of one format.
        String by16 = NativeKernels.axc_cpu_int8_supported(NativeKernels.Q8_0) == 1 ? PackedRows.LAYOUT16 : PackedRows.LAYOUT;
        Random rnd = new Random(41 + n);
        NativeScratch scratch = new NativeScratch();
        float[] f32 = NativeKernelsTest.gaussian(rnd, 40 * COLS);
        CpuMatrix[] parts = {
                matrix(DType.Q8_0, 256, by16, scratch, rnd),
                new CpuMatrix(NativeKernelsTest.offHeap(f32), DType.F32, 40, COLS, null, pool, scratch, Activations.INT8, null),
                matrix(DType.Q4_0, 32, by16, scratch, rnd),
                matrix(DType.Q8_0, 24, PackedRows.LAYOUT, scratch, rnd),
                matrix(DType.Q4_K, 48, null, scratch, rnd),
        };
        StackedProduct stack = new StackedProduct(parts, pool, scratch);
        assertTrue(stack.chunkCount() > parts.length, "the first part is cut into several chunks: " + stack.chunkCount());
        float[] x = NativeKernelsTest.gaussian(rnd, n * COLS);
        int stride = stack.rows() + 5;
        float[] out = new float[n * stride];
        stack.matmul(x, n, out, stride, 3);
        int col = 3;
        for (CpuMatrix m : parts) {
            // Alone, and at most one tile of activation rows at a time: a stack's tiles (n = 300) must
            // give each row what a product of that row's tile alone gives.
            float[] alone = new float[n * m.rows()];
            for (int t0 = 0; t0 < n; t0 += StackedProduct.TILE) {
                int nt = Math.min(StackedProduct.TILE, n - t0);
                float[] piece = new float[nt * m.rows()];
                m.matmul(java.util.Arrays.copyOfRange(x, t0 * COLS, (t0 + nt) * COLS), nt, piece, m.rows(), 0);
                System.arraycopy(piece, 0, alone, t0 * m.rows(), piece.length);
            }
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < m.rows(); r++) {
                    assertEquals(alone[t * m.rows() + r], out[t * stride + col + r], m.dtype() + " row " + r + " of activation " + t);
                }
            }
            col += m.rows();
        }
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < 3; c++) assertEquals(0f, out[t * stride + c], "outside the columns asked for");
            for (int c = 3 + stack.rows(); c < stride; c++) assertEquals(0f, out[t * stride + c], "outside the columns asked for");
        }
        for (int r = 0; r < parts[1].rows(); r++) {
            for (int t = 0; t < n; t++) {
                double s = 0;
                for (int c = 0; c < COLS; c++) s += (double) f32[r * COLS + c] * x[t * COLS + c];
                assertEquals(s, out[t * stride + 3 + parts[0].rows() + r], 1e-4 * (1 + Math.abs(s)), "f32 row " + r);
            }
        }
    }

    private static CpuMatrix matrix(DType type, int rows, String layout, NativeScratch scratch, Random rnd) {
        long rowBytes = type.bytesFor(COLS);
        MemorySegment blocks = NativeBlockKernelsTest.quantizedRows(type, rows, COLS, rnd);
        MemorySegment w = blocks;
        if (layout != null) {
            w = Arena.ofAuto().allocate(rowBytes * rows, 64);
            if (layout.equals(PackedRows.LAYOUT16)) PackedRows.pack16(type, COLS, blocks, 0, rows, w);
            else PackedRows.pack(type, COLS, blocks, 0, rows, w);
        }
        assertEquals(rowBytes * rows, w.byteSize());
        return new CpuMatrix(w, type, rows, COLS, null, pool, scratch, Activations.INT8, layout);
    }
}
