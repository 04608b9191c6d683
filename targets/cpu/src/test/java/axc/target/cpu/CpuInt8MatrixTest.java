package axc.target.cpu;

import axc.reference.Int8ChannelMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The native int8-per-row products against {@link Int8ChannelMatrix}, the reference: W8A8 bit for bit
 * (same activation rounding, exact integer sums, one rounding at the end), W8A16 to float rounding.
 * Every instruction-set level; column counts with and without a masked tail; -128 codes.
 */
class CpuInt8MatrixTest {
    @AfterEach
    void restore() {
        NativeKernels.axc_cpu_set_level(NativeKernels.AVX512_VNNI);
    }

    @ParameterizedTest(name = "w8a8 {0}: {1}x{2}, {3} rows, level {4}")
    @CsvSource({"true,9,896,1,3", "true,5,100,3,3", "true,7,4864,2,3", "true,9,896,2,0", "true,3,63,1,3",
            "false,9,896,1,3", "false,5,100,3,2", "false,7,4864,2,0"})
    void agreesWithTheReference(boolean w8a8, int rows, int cols, int n, int level) {
        NativeKernels.axc_cpu_set_level(level);
        Random rnd = new Random(rows * 31L + cols + n);
        MemorySegment q = Arena.ofAuto().allocate((long) rows * cols, 64);
        for (long i = 0; i < q.byteSize(); i++) q.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 97 == 0 ? -128 : rnd.nextInt(255) - 127));
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) scales[r] = 0.001f + 0.02f * rnd.nextFloat();
        Int8ChannelMatrix ref = new Int8ChannelMatrix(rows, cols, q, scales, w8a8);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * (i % 11 == 0 ? 5 : 1);
        int stride = rows + 2;
        float[] want = new float[n * stride];
        float[] row = new float[rows];
        for (int t = 0; t < n; t++) {
            float[] xt = java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
            ref.matvec(xt, row);
            System.arraycopy(row, 0, want, t * stride + 1, rows);
        }
        float[] got = new float[n * stride];
        try (RowPool pool = new RowPool(2)) {
            new CpuInt8Matrix(ref, pool, new NativeScratch()).matmul(x, n, got, stride, 1);
        }
        for (int i = 0; i < want.length; i++) {
            if (w8a8) assertEquals(want[i], got[i], 0f, "w8a8 element " + i);
            else assertEquals(want[i], got[i], 1e-5f * (1 + Math.abs(want[i])), "w8a16 element " + i);
        }
    }
}
