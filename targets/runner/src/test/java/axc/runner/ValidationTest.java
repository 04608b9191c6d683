package axc.runner;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationTest {
    @Test
    void klOfIdenticalLogitsIsZeroAndOfShiftedLogitsToo() {
        float[] a = {1f, 2f, 3f, -1f};
        float[] shifted = {11f, 12f, 13f, 9f}; // softmax is shift-invariant
        assertEquals(0, Validation.kl(a, a), 1e-12);
        assertEquals(0, Validation.kl(a, shifted), 1e-9);
    }

    @Test
    void klMatchesTheClosedFormForTwoOutcomes() {
        // p = softmax(0, 0) = (.5, .5); q = softmax(0, ln 3) = (.25, .75)
        float[] p = {0f, 0f};
        float[] q = {0f, (float) Math.log(3)};
        double expected = 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
        assertEquals(expected, Validation.kl(p, q), 1e-6);
    }

    @Test
    void accumulatorCountsTopOneNmseAndCosine() {
        Validation.Acc acc = new Validation.Acc();
        acc.add(new float[]{0f, 1f, 0f}, new float[]{0f, 1f, 0f});
        acc.add(new float[]{1f, 0f, 0f}, new float[]{0f, 2f, 0f});
        assertEquals(2, acc.positions);
        assertEquals(1, acc.agree);
        assertEquals((1.0 + 4.0) / 2.0, acc.errSq / acc.refSq, 1e-12);
        assertEquals(1.0, acc.cosSum, 1e-12); // 1 + 0
    }

    @Test
    void logSoftmaxIsStableForHugeLogits() {
        double[] l = Validation.logSoftmax(new float[]{1e30f, 0f});
        assertEquals(0, l[0], 1e-9);
        assertTrue(l[1] < -1e29);
    }
}
