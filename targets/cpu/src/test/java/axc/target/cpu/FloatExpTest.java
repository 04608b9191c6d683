package axc.target.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatExpTest {
    /** Inputs over the whole range that matters, the edges, and the special values. */
    private static float[] inputs() {
        Random rnd = new Random(11);
        float[] x = new float[200_000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 200 - 100);
        float[] special = {0f, -0f, 1f, -1f, 1e-30f, -1e-30f, -86.5f, Math.nextDown(-86.5f), 88.7f, 88.72f, 88.73f, 89f, 100f, -1000f,
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, 0.34657359f, -0.34657359f};
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    @Test
    void lanesAndScalarCodeGiveTheSameBits() {
        float[] x = inputs();
        float[] lanes = new float[x.length];
        int l = Lanes.LENGTH;
        for (int i = 0; i + l <= x.length; i += l) FloatExp.exp(FloatVector.fromArray(Lanes.F, x, i)).intoArray(lanes, i);
        for (int i = 0; i < x.length / l * l; i++) {
            assertEquals(Float.floatToIntBits(FloatExp.exp(x[i])), Float.floatToIntBits(lanes[i]), "e^" + x[i]);
        }
    }

    @Test
    void withinTwoUlpOfTheTrueValue() {
        for (float x : inputs()) {
            double want = Math.exp(x);
            float got = FloatExp.exp(x);
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(got));
            } else if (x < -86.5f) {
                assertEquals(0f, got, "e^" + x);
            } else if (want > Float.MAX_VALUE) {
                assertEquals(Float.POSITIVE_INFINITY, got, "e^" + x);
            } else {
                double ulp = Math.ulp((float) want);
                assertTrue(Math.abs(got - want) <= 2 * ulp, "e^" + x + " = " + want + ", got " + got);
            }
        }
    }
}
