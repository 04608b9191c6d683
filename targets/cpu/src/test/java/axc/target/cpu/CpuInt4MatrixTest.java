package axc.target.cpu;

import axc.formats.dtype.FloatCodec;
import axc.reference.GptqMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The native 4-bit grouped kernel (GPTQ's packed layout) through {@link CpuInt4Matrix} and its
 * {@link RowPool}, at every level, against {@link GptqMatrix}'s own decoding (the reference's
 * scale * (code - zero), float64 sums). Codes, zero-points and scales are random, so a nibble read
 * from the wrong word, a zero-point of the wrong output or a scale of the wrong group is an error of
 * whole weights. Outputs that are not a multiple of 16 exercise the portable tail; one activation row
 * the 64-output bands; five rows a group of four and one.
 */
class CpuInt4MatrixTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @AfterEach
    void restore() {
        NativeKernels.axc_cpu_set_level(NativeKernels.AVX512_VNNI);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int level = NativeKernels.PORTABLE; level <= NativeKernels.AVX512; level++) {
            out.add(Arguments.of(level, 48, 256, 128, 1));
            out.add(Arguments.of(level, 37, 256, 32, 5));     // a tail of 5 outputs
            out.add(Arguments.of(level, 64, 896, 64, 2));
            out.add(Arguments.of(level, 85, 256, 64, 1));     // one row: 64 outputs at once, then 16, then a tail
            out.add(Arguments.of(level, 896, 896, 128, 1));   // many bands over both threads
        }
        return out.stream();
    }

    static GptqMatrix random(int rows, int cols, int group, Random rnd) {
        return random(rows, cols, group, rnd, null);
    }

    /** With {@code gIdx}, each input row's group (act-order); null for groups in order. */
    static GptqMatrix random(int rows, int cols, int group, Random rnd, MemorySegment gIdx) {
        int groups = cols / group;
        MemorySegment qweight = Arena.ofAuto().allocate(4L * cols / 8 * rows, 64);
        for (long i = 0; i < (long) cols / 8 * rows; i++) qweight.set(I32, 4 * i, rnd.nextInt());
        MemorySegment qzeros = Arena.ofAuto().allocate(4L * groups * ((rows + 7) / 8), 64);
        for (long i = 0; i < (long) groups * ((rows + 7) / 8); i++) qzeros.set(I32, 4 * i, rnd.nextInt());
        MemorySegment scales = Arena.ofAuto().allocate(2L * groups * rows, 64);
        for (long i = 0; i < (long) groups * rows; i++) scales.set(I16, 2 * i, FloatCodec.floatToF16((float) (0.001 + 0.05 * rnd.nextDouble())));
        return new GptqMatrix(rows, cols, group, qweight, qzeros, scales, gIdx);
    }

    @ParameterizedTest(name = "level {0}: {1} outputs x {2} inputs, group {3}, {4} rows")
    @MethodSource("cases")
    void agreesWithTheReferenceDecoding(int level, int rows, int cols, int group, int n) {
        Random rnd = new Random(rows * 7L + cols + group + level);
        check(level, random(rows, cols, group, rnd), n, rnd);
    }

    /**
     * Act-order as GPTQ's desc_act writes it: g_idx a shuffle of whole groups over the input rows. The
     * matrix repacks its codes in group order and permutes the activations; a row of codes or an
     * activation moved to the wrong place is an error of whole weights.
     */
    @ParameterizedTest(name = "act-order, level {0}: {1} outputs x {2} inputs, group {3}, {4} rows")
    @MethodSource("cases")
    void actOrderAgreesWithTheReferenceDecoding(int level, int rows, int cols, int group, int n) {
        Random rnd = new Random(rows * 11L + cols + group + level);
        int[] g = new int[cols];
        for (int i = 0; i < cols; i++) g[i] = i / group;
        for (int i = cols - 1; i > 0; i--) {
            int k = rnd.nextInt(i + 1), t = g[i];
            g[i] = g[k];
            g[k] = t;
        }
        MemorySegment gIdx = Arena.ofAuto().allocate(4L * cols, 64);
        for (int i = 0; i < cols; i++) gIdx.set(I32, 4L * i, g[i]);
        GptqMatrix ref = random(rows, cols, group, rnd, gIdx);
        assertEquals(cols > group, !ref.sequentialGroups(), "a shuffle of more than one group is act-ordered");
        check(level, ref, n, rnd);
    }

    private static void check(int level, GptqMatrix ref, int n, Random rnd) {
        int used = NativeKernels.axc_cpu_set_level(level);
        int rows = ref.rows(), cols = ref.cols();
        float[] x = NativeKernelsTest.gaussian(rnd, n * cols);
        int stride = rows + 5;
        float[] out = new float[n * stride];
        try (RowPool pool = new RowPool(2)) {
            new CpuInt4Matrix(ref, pool, new NativeScratch()).matmul(x, n, out, stride, 3);
        }
        float[] w = new float[cols];
        for (int j = 0; j < rows; j++) {
            ref.row(j, w);
            for (int t = 0; t < n; t++) {
                double want = 0, mag = 0;
                for (int i = 0; i < cols; i++) {
                    want += (double) w[i] * x[t * cols + i];
                    mag += Math.abs((double) w[i] * x[t * cols + i]);
                }
                assertEquals(want, out[t * stride + 3 + j], 1e-5 * mag, "level " + NativeKernels.levelName(used) + " output " + j + " of row " + t);
            }
        }
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < 3; k++) assertEquals(0f, out[t * stride + k], "before the outputs");
            for (int k = rows + 3; k < stride; k++) assertEquals(0f, out[t * stride + k], "after the outputs");
        }
    }

    @Test
    void refusesUnevenGroupsAndBadShapes() {
        Random rnd = new Random(3);
        GptqMatrix ok = random(16, 64, 32, rnd);
        MemorySegment gIdx = Arena.ofAuto().allocate(4L * 64, 64);
        for (int i = 0; i < 64; i++) gIdx.set(I32, 4L * i, i < 40 ? 0 : 1);   // group 0 with 40 rows, group 1 with 24
        GptqMatrix uneven = new GptqMatrix(16, 64, 32, ok.qweight(), Arena.ofAuto().allocate(16, 64), Arena.ofAuto().allocate(64, 64), gIdx);
        assertFalse(CpuInt4Matrix.takes(uneven), "the interpreter runs it");
        try (RowPool pool = new RowPool(1)) {
            assertThrows(IllegalArgumentException.class, () -> new CpuInt4Matrix(uneven, pool, new NativeScratch()));
        }
        MemorySegment y = Arena.ofAuto().allocate(64 * 4, 64);
        MemorySegment x = Arena.ofAuto().allocate(64 * 4, 64);
        assertEquals(-1, NativeKernels.axc_cpu_matmul_g4(ok.qweight().address(), x.address(), x.address(), 64, 16, 12, x.address(), 1, y.address(), 16, 0, 0, 16), "group not whole words");
        assertEquals(-1, NativeKernels.axc_cpu_matmul_g4(ok.qweight().address(), x.address(), x.address(), 64, 16, 32, x.address(), 1, y.address(), 16, 0, 0, 17), "outputs past the matrix");
        assertEquals(0f, y.get(ValueLayout.JAVA_FLOAT, 0), "nothing written on a refusal");
    }
}
