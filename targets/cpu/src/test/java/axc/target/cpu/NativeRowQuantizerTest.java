package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.formats.dtype.FloatCodec;
import axc.formats.quant.Dequantizer;
import axc.formats.quant.Quantizer;
import axc.formats.quant.RowQuantizerAccelerator;
import jdk.incubator.vector.FloatVector;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native row quantizers ({@code axc_cpu_quant.h}, {@code axc_cpu_kquant.h}) against the Java
 * quantizers, which the format tests hold byte for byte to llama-quantize's files: the same bytes for
 * every source type, on random rows with outliers and on rows built to hit each rounding edge (for
 * Q8_0/Q4_0/Q5_0 products landing exactly on and one ulp below halves, ties between +max and -max,
 * zero blocks, subnormal scales; for the K-quants flat, one-signed, near-zero and gridded groups);
 * and the same per-row error sums as the Java side's ({@link Quantizer#rowError}, or the row read back
 * and {@link Quantizer#dequantizedError}), to the bit where the Java kernels run 16 lanes.
 */
class NativeRowQuantizerTest {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final NativeRowQuantizer q = new NativeRowQuantizer();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType src : List.of(DType.F32, DType.F16, DType.BF16)) {
            for (DType dst : List.of(DType.Q8_0, DType.Q4_0, DType.Q5_0)) {
                for (int cols : new int[]{32, 896, 4864}) out.add(Arguments.of(src, dst, cols));
            }
            for (DType dst : List.of(DType.Q4_K, DType.Q5_K, DType.Q6_K)) {
                for (int cols : new int[]{256, 4864}) out.add(Arguments.of(src, dst, cols));
            }
        }
        return out.stream();
    }

    @Test
    void isTheRegisteredAcceleratorWhereTheMachineHasAvx512() {
        boolean avx512 = NativeKernels.available() && NativeKernels.axc_cpu_detected_level() >= NativeKernels.AVX512;
        assertEquals(avx512, q.supports(DType.F16, DType.Q4_0, 896));
        if (avx512) assertInstanceOf(NativeRowQuantizer.class, RowQuantizerAccelerator.find().orElseThrow());
        assertEquals(avx512, q.supports(DType.F16, DType.Q4_K, 256));
        assertFalse(q.supports(DType.F16, DType.Q2_K, 256), "Q2_K and Q3_K stay on the Java kernels");
        assertFalse(q.supports(DType.Q8_0, DType.Q4_0, 256), "quantized sources are not read");
        assertFalse(q.supports(DType.F32, DType.Q8_0, 48), "rows must split into whole blocks");
        assertFalse(q.supports(DType.F32, DType.Q6_K, 896), "K-quant rows must split into 256");
    }

    @ParameterizedTest(name = "{0} -> {1}, rows of {2}")
    @MethodSource("cases")
    void producesTheJavaQuantizersBytesAndErrors(DType src, DType dst, int cols) {
        assertTrue(q.supports(src, dst, cols), "this machine runs the native quantizer");
        Random rnd = new Random(cols * 31L + src.ordinal() * 7 + dst.ordinal());
        List<float[]> rows = new ArrayList<>();
        for (int r = 0; r < 6; r++) rows.add(withOutliers(rnd, cols));
        rows.add(new float[cols]);
        if (dst.blockSize() == 32) rows.add(edges(dst, cols, rnd));
        else rows.addAll(groupEdges(cols, rnd));
        if (src == DType.F32) rows.add(scaled(withOutliers(rnd, cols), 1e-39f));   // subnormal scales
        int n = rows.size();
        long inRowBytes = src.bytesFor(cols) + 64;   // rows apart by more than their length, as a slice's stride may be
        MemorySegment in = Arena.ofAuto().allocate(16 + inRowBytes * n, 64);
        for (int r = 0; r < n; r++) encode(src, rows.get(r), in, 16 + r * inRowBytes);
        int outRowBytes = (int) dst.bytesFor(cols);
        byte[] got = new byte[n * outRowBytes];
        double[] err = new double[2 * n];
        q.quantize(src, in, 16, inRowBytes, dst, got, cols, n, err);

        float[] x = new float[cols];
        double[] want = new double[2];
        boolean sameLanes = FloatVector.SPECIES_PREFERRED.length() == 16;
        for (int r = 0; r < n; r++) {
            Dequantizer.dequantizeRows(src, in.asSlice(16 + r * inRowBytes, src.bytesFor(cols)), cols, 0, 1, x, 0);
            byte[] ref = Quantizer.quantize(dst, x, 0, cols);
            byte[] row = java.util.Arrays.copyOfRange(got, r * outRowBytes, (r + 1) * outRowBytes);
            assertArrayEquals(ref, row, src + " -> " + dst + " row " + r);
            if (!Quantizer.rowError(dst, ref, 0, x, 0, cols, want)) {
                float[] back = new float[cols];
                Dequantizer.dequantize(dst, MemorySegment.ofArray(ref), 0, back, 0, cols);
                Quantizer.dequantizedError(back, x, 0, cols, want);
            }
            double tol = sameLanes ? 0 : 1e-6;
            assertEquals(want[0], err[2 * r], tol * Math.abs(want[0]), "squared error of row " + r);
            assertEquals(want[1], err[2 * r + 1], tol * Math.abs(want[1]), "squared norm of row " + r);
        }
    }

    @Test
    void refusesRowsOutsideTheInputAndTooSmallOutputs() {
        MemorySegment in = Arena.ofAuto().allocate(2 * 64 * 2, 64);
        byte[] out = new byte[(int) DType.Q8_0.bytesFor(64) * 2];
        assertThrows(IndexOutOfBoundsException.class, () -> q.quantize(DType.F16, in, 0, 128, DType.Q8_0, out, 64, 3, null));
        assertThrows(IllegalArgumentException.class, () -> q.quantize(DType.F16, in, 0, 128, DType.Q8_0, new byte[10], 64, 2, null));
        assertThrows(IllegalArgumentException.class, () -> q.quantize(DType.F16, MemorySegment.ofArray(new byte[256]), 0, 128, DType.Q8_0, out, 64, 2, null));
    }

    /** Gaussian values with a few large ones, as real weight rows have. */
    private static float[] withOutliers(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * 0.02);
        for (int k = 0; k < Math.max(1, n / 100); k++) x[rnd.nextInt(n)] = (float) (rnd.nextGaussian() * 0.5);
        return x;
    }

    private static float[] scaled(float[] x, float s) {
        for (int i = 0; i < x.length; i++) x[i] *= s;
        return x;
    }

    /**
     * Blocks whose scale is exactly 1 (max 127 for Q8_0, -8 for Q4_0, -16 for Q5_0), so the products the codes are
     * rounded from are the values themselves: halves, one ulp below halves, and a +max/-max tie.
     */
    private static float[] edges(DType dst, int cols, Random rnd) {
        float[] x = new float[cols];
        float[] pool = dst == DType.Q8_0
                ? new float[]{0.5f, -0.5f, Math.nextDown(0.5f), -Math.nextDown(0.5f), 1.5f, -2.5f, 126.5f, Math.nextDown(126.5f), 0f, -0f}
                : new float[]{-7.5f, 6.5f, Math.nextDown(6.5f), Math.nextUp(-7.5f), 0.5f, -0.5f, 7.9999995f, 0f, 3.5f, -3.5f};
        for (int b = 0; b < cols; b += 32) {
            for (int j = 0; j < 32; j++) x[b + j] = pool[rnd.nextInt(pool.length)];
            float max = dst == DType.Q8_0 ? 127f : dst == DType.Q5_0 ? -16f : -8f;
            x[b + rnd.nextInt(32)] = max;
            x[b + rnd.nextInt(32)] = (b / 32) % 2 == 0 ? -max : max;   // ties of magnitude: the first one decides Q4_0's sign
        }
        return x;
    }

    /**
     * Rows whose K-quant groups hit the search's special cases: a constant group (flat: max == min), an
     * all-positive one (its min clamps to 0), an all-negative one, a sub-block below the all-zero
     * threshold inside a live block, a block of two values only, and quantized-looking grids whose
     * trial errors tie.
     */
    private static List<float[]> groupEdges(int cols, Random rnd) {
        List<float[]> out = new ArrayList<>();
        for (int kind = 0; kind < 3; kind++) {
            float[] x = new float[cols];
            for (int b = 0; b < cols; b += 256) {
                for (int g = 0; g < 16; g++) {
                    int at = b + 16 * g;
                    int pick = (kind * 7 + g + b / 256) % 7;
                    for (int i = 0; i < 16; i++) {
                        x[at + i] = switch (pick) {
                            case 0 -> -0.03f;                                            // constant, negative
                            case 1 -> 0.01f + 0.02f * rnd.nextFloat();                   // positive only
                            case 2 -> -0.01f - 0.02f * rnd.nextFloat();                  // negative only
                            case 3 -> 1e-17f * (float) rnd.nextGaussian();              // below the zero threshold
                            case 4 -> (i % 2 == 0 ? 0.25f : -0.125f);                    // two values
                            case 5 -> 0.0625f * (rnd.nextInt(31) - 15);                  // a grid
                            default -> (float) (rnd.nextGaussian() * 0.02);
                        };
                    }
                }
            }
            out.add(x);
        }
        return out;
    }

    private static void encode(DType t, float[] x, MemorySegment seg, long off) {
        for (int i = 0; i < x.length; i++) {
            switch (t) {
                case F32 -> seg.set(LE_FLOAT, off + 4L * i, x[i]);
                case F16 -> seg.set(LE_SHORT, off + 2L * i, FloatCodec.floatToF16(x[i]));
                case BF16 -> seg.set(LE_SHORT, off + 2L * i, FloatCodec.floatToBf16(x[i]));
                default -> throw new IllegalArgumentException(t.name());
            }
        }
    }
}
