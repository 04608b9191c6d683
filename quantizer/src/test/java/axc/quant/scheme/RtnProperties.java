package axc.quant.scheme;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round-to-nearest error bounds and round trips on random matrices of several distributions. */
class RtnProperties {
    @Provide
    Arbitrary<QuantScheme> schemes() {
        return Arbitraries.oneOf(
                Arbitraries.of(8, 32, 64, 100, 128).flatMap(gs -> Arbitraries.of(true, false).map(sym -> new Int4Group(gs, sym))),
                Arbitraries.just(new Int8PerChannel()),
                Arbitraries.just(new W8A8(0.5)));
    }

    @Property(tries = 200)
    void everyValueIsWithinHalfAStepOfItsLevel(@ForAll("schemes") QuantScheme scheme, @ForAll long seed,
                                                @ForAll @IntRange(min = 0, max = 4) int mode,
                                                @ForAll @IntRange(min = 1, max = 9) int rows,
                                                @ForAll @IntRange(min = 1, max = 300) int cols,
                                                @ForAll @IntRange(min = -4, max = 3) int decade) {
        float[] w = matrix(seed, mode, rows, cols, Math.pow(10, decade));
        QuantizedMatrix q = Rtn.quantize(w, rows, cols, scheme);
        IntGrid grid = IntGrid.of(scheme);
        float[] d = q.dequantize();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int s = r * q.groups() + q.groupIndex()[c];
                float scale = q.scales()[s];
                int level = q.q()[r * cols + c];
                assertTrue(level >= grid.qmin() && level <= grid.qmax());
                float err = Math.abs(d[r * cols + c] - w[r * cols + c]);
                assertTrue(err <= scale * 0.5f * (1 + 1e-5f) + Math.ulp(w[r * cols + c]),
                        scheme.name() + " (" + r + "," + c + ") err " + err + " scale " + scale);
            }
        }
        for (int s = 0; s < q.zeros().length; s++) {
            if (grid.symmetric()) assertEquals(0, q.zeros()[s]);
            else assertTrue(q.zeros()[s] >= grid.qmin() && q.zeros()[s] <= grid.qmax());
            assertTrue(q.scales()[s] > 0);
        }
    }

    @Property(tries = 200)
    void quantizingADequantizedMatrixGivesItBack(@ForAll("schemes") QuantScheme scheme, @ForAll long seed,
                                                 @ForAll @IntRange(min = 0, max = 4) int mode,
                                                 @ForAll @IntRange(min = 1, max = 9) int rows,
                                                 @ForAll @IntRange(min = 1, max = 300) int cols) {
        QuantizedMatrix once = Rtn.quantize(matrix(seed, mode, rows, cols, 1), rows, cols, scheme);
        float[] d1 = once.dequantize();
        QuantizedMatrix twice = Rtn.quantize(d1, rows, cols, scheme);
        float[] d2 = twice.dequantize();
        for (int i = 0; i < d1.length; i++) {
            // The same value up to the rounding of the refitted scale.
            assertEquals(d1[i], d2[i], 1e-6f * Math.abs(d1[i]) + 1e-30f, scheme.name() + " at " + i);
        }
        // Levels may differ only where a group is all zeros (any level equal to the zero point is 0).
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (d1[i] != 0) assertEquals(once.q()[i], twice.q()[i], scheme.name() + " at " + i);
            }
        }
    }

    @Property(tries = 100)
    void valuesBeyondTheFittedRangeClampToTheEndLevels(@ForAll("schemes") QuantScheme scheme,
                                                       @ForAll @DoubleRange(min = -50, max = 50) double min,
                                                       @ForAll @DoubleRange(min = 0.01, max = 50) double width,
                                                       @ForAll @DoubleRange(min = 1.5, max = 1e4) double beyond) {
        IntGrid grid = IntGrid.of(scheme);
        float lo = (float) min, hi = (float) (min + width);
        float scale = grid.scale(lo, hi);
        int zero = grid.zero(lo, scale);
        float far = (float) (Math.max(Math.abs(lo), Math.abs(hi)) * beyond + width * beyond);
        assertEquals(grid.qmax(), grid.quantize(far, scale, zero));
        assertEquals(grid.qmin(), grid.quantize(-far, scale, zero));
        assertArrayEquals(new int[]{grid.qmin(), grid.qmax()},
                new int[]{grid.quantize(Float.NEGATIVE_INFINITY, scale, zero), grid.quantize(Float.POSITIVE_INFINITY, scale, zero)});
    }

    /** 0 normal, 1 uniform, 2 normal with every 37th column x8, 3 sparse, 4 all of one sign with one zero group. */
    static float[] matrix(long seed, int mode, int rows, int cols, double magnitude) {
        Random r = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            double v = switch (mode) {
                case 0 -> r.nextGaussian();
                case 1 -> r.nextDouble() * 2 - 1;
                case 2 -> r.nextGaussian() * ((i % cols) % 37 == 0 ? 8 : 1);
                case 3 -> r.nextDouble() < 0.1 ? r.nextGaussian() * 10 : 0;
                default -> (i % cols) < 8 ? 0 : r.nextDouble() + 0.5;
            };
            w[i] = (float) (v * magnitude);
        }
        return w;
    }
}
