package axc.target.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * e^x in float32, the same bits in vector lanes and in scalar code, interpreted or compiled.
 * {@code lanewise(VectorOperators.EXP)} is not that: compiled by C2 it calls the platform's vector
 * math library, interpreted it rounds {@code Math.exp}, and the two differ in the last bit now and
 * then. Softmax and SwiGLU used it, so the same prompt gave logits that differed by an ulp depending
 * on how far the JIT had got; through int8 activations that became a run-to-run change of 0.8% in
 * {@code axc validate}'s NMSE. Here only IEEE-exact lane-wise operations are used (no fused
 * multiply-add), in the same order as the scalar code, so both paths agree with each other and with
 * themselves.
 *
 * <p>The method is the NPU's (NPU.md B5): k = rint(x·log2e) by adding and subtracting 1.5·2^23,
 * r = x − k·ln2 in two parts, a degree-7 polynomial (the NPU's has 6), scaled by 2^k built from
 * k's bits. Within 2 ulp of e^x. Below −86.5 the result is 0 (e^x < 3e-38, which neither softmax
 * nor SiLU can see); above about 88.72 it overflows to infinity; NaN stays NaN.
 */
final class FloatExp {
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-06f;
    /** 1.5·2^23: adding it rounds a float of magnitude under 2^22 to an integer, left in the low bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float LOW = -86.5f;
    /** Large enough to overflow: e^89 is beyond Float.MAX_VALUE. */
    private static final float HIGH = 89f;
    private static final float C7 = 1f / 5040f, C6 = 1f / 720f, C5 = 1f / 120f, C4 = 1f / 24f, C3 = 1f / 6f, C2 = 0.5f;

    private FloatExp() {
    }

    static float exp(float x) {
        if (x < LOW) return 0f;
        float c = Math.min(x, HIGH);
        float y = c * LOG2E + ROUND;
        float k = y - ROUND;
        float r = (c - k * LN2_HI) - k * LN2_LO;
        float p = C7;
        p = p * r + C6;
        p = p * r + C5;
        p = p * r + C4;
        p = p * r + C3;
        p = p * r + C2;
        p = p * r + 1f;
        p = p * r + 1f;
        // 2^(k-1), times 2 after: k reaches 128 just below the overflow, and 2^128 has no float.
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(y) - ROUND_BITS + 126) << 23);
        return p * scale * 2f;
    }

    static FloatVector exp(FloatVector x) {
        FloatVector c = x.min(HIGH);
        FloatVector y = c.mul(LOG2E).add(ROUND);
        FloatVector k = y.sub(ROUND);
        FloatVector r = c.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        FloatVector p = r.broadcast(C7);
        p = p.mul(r).add(C6);
        p = p.mul(r).add(C5);
        p = p.mul(r).add(C4);
        p = p.mul(r).add(C3);
        p = p.mul(r).add(C2);
        p = p.mul(r).add(1f);
        p = p.mul(r).add(1f);
        IntVector bits = (IntVector) y.reinterpretAsInts();
        FloatVector scale = bits.sub(ROUND_BITS - 126).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).mul(2f).blend(0f, x.lt(LOW));
    }
}
