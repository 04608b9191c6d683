package axc.formats.quant;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lane-parallel Q4_K/Q5_K group search gives each group the scale, min and codes of the scalar
 * {@code make_qkx2_quants} port, bit for bit. Surefire runs this class a second time at 256 bits.
 */
class VectorQkx2SearchProperties {
    @Example
    void runsWhereLanesSplitTheEightGroups() {
        String bits = System.getProperty("axc.test.vector.bits");
        if (bits != null) assertEquals(Math.min(256, Integer.parseInt(bits)), VectorQkx2Search.species().vectorBitSize(), "the run meant for this width");
        int lanes = VectorQkx2Search.species().length();
        assertEquals(lanes >= 4 && 8 % lanes == 0, VectorQkx2Search.USABLE, lanes + " lanes");
    }

    @Property(tries = 400)
    void sameScalesMinsAndCodesAsTheScalarSearch(@ForAll long seed, @ForAll @IntRange(min = -30, max = 20) int exponent,
                                                  @ForAll boolean q5) {
        float scale = (float) Math.pow(2, exponent) * 1.37f;
        float[] x = new float[256 + 5];
        Random r = new Random(seed);
        int special = r.nextInt(12); // one group flat, all positive or all negative now and then
        int kind = r.nextInt(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (r.nextInt(6)) {
                case 0 -> 0f;
                case 1 -> (float) (r.nextGaussian() * scale);
                case 2 -> scale * r.nextInt(32) / 15f; // on a code grid, where ties decide
                case 3 -> scale * (r.nextBoolean() ? 30 : -30);
                default -> (float) (r.nextDouble() * 2 - 1) * scale;
            };
            if ((i - 5) / 32 == special) {
                x[i] = switch (kind) {
                    case 0 -> -scale;                              // flat and negative: max == min
                    case 1 -> 0f;                                  // all zero
                    case 2 -> Math.abs(x[i]) + scale;              // all positive: min clamps to 0
                    case 3 -> -Math.abs(x[i]);                     // max 0: a fitted min of 0 meets it
                    default -> -Math.abs(x[i]) - scale;            // all negative
                };
            }
        }
        // Q4_K's search and Q5_K's, as Q4_K.quantize and Q5_K.quantize call it.
        int nmax = q5 ? 31 : 15;
        float rmin = q5 ? -0.5f : -1f;
        int nstep = q5 ? 15 : 20;
        float[] wantScales = new float[8];
        float[] wantMins = new float[8];
        int[] wantL = new int[256];
        float[] weights = new float[32];
        float[] minOut = new float[1];
        int[] laux = new int[32];
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += x[5 + 32 * j + l] * x[5 + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[5 + 32 * j + l]);
            wantScales[j] = KQuantSearch.makeQkx2Quants(32, nmax, x, 5 + 32 * j, weights, wantL, 32 * j, minOut, laux, rmin, 0.1f, nstep, false);
            wantMins[j] = minOut[0];
        }
        if (!VectorQkx2Search.USABLE) return;
        float[] scales = new float[8];
        float[] mins = new float[8];
        int[] L = new int[256];
        VectorQkx2Search.search(x, 5, nmax, rmin, 0.1f, nstep, scales, mins, L, new VectorQkx2Search.Work());
        String at = " at " + VectorQkx2Search.species();
        assertArrayEquals(wantScales, scales, "scales" + at);
        assertArrayEquals(wantMins, mins, "mins" + at);
        assertArrayEquals(wantL, L, "codes" + at);
    }
}
