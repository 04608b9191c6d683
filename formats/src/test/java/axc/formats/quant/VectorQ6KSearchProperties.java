package axc.formats.quant;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lane-parallel Q6_K scale search gives each sub-block the scale and codes of the scalar
 * {@code make_qx_quants} port, bit for bit. Surefire runs this class a second time at 256 bits.
 */
class VectorQ6KSearchProperties {
    @Example
    void runsAtEveryWidthThatSplitsTheSubBlocks() {
        int lanes = VectorQ6KSearch.species().length();
        String bits = System.getProperty("axc.test.vector.bits");
        if (bits != null) assertEquals(Integer.parseInt(bits), VectorQ6KSearch.species().vectorBitSize(), "the run meant for this width");
        assertEquals(lanes >= 4 && 16 % lanes == 0, VectorQ6KSearch.USABLE, lanes + " lanes");
    }

    @Property(tries = 500)
    void sameScalesAndCodesAsTheScalarSearch(@ForAll long seed, @ForAll @IntRange(min = -30, max = 20) int exponent) {
        float scale = (float) Math.pow(2, exponent) * 1.37f;
        float[] x = new float[256 + 3];
        Random r = new Random(seed);
        int zeroGroup = r.nextInt(20); // sometimes one sub-block is all zero, or tiny
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (r.nextInt(7)) {
                case 0 -> 0f;
                case 1 -> (float) (r.nextGaussian() * scale);
                case 2 -> scale * (r.nextInt(65) - 32) / 31f; // values on the code grid, where ties decide
                case 3 -> -scale;
                case 4 -> scale * (r.nextBoolean() ? 40 : -40); // an outlier that sets the group's max
                default -> (float) (r.nextDouble() * 2 - 1) * scale;
            };
            if ((i - 3) / 16 == zeroGroup) x[i] = r.nextBoolean() ? 0f : 1e-20f * x[i];
        }
        float[] wantScales = new float[16];
        int[] wantL = new int[256];
        for (int g = 0; g < 16; g++) wantScales[g] = KQuantSearch.makeQxQuants(16, 32, x, 3 + 16 * g, wantL, 16 * g, 1);
        if (!VectorQ6KSearch.USABLE) return;
        float[] scales = new float[16];
        int[] L = new int[256];
        VectorQ6KSearch.search(x, 3, scales, L, new VectorQ6KSearch.Work());
        assertArrayEquals(wantScales, scales, "scales at " + VectorQ6KSearch.species());
        assertArrayEquals(wantL, L, "codes at " + VectorQ6KSearch.species());
    }
}
