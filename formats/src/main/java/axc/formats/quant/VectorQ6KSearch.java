package axc.formats.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K's scale search ({@link KQuantSearch#makeQxQuants} with 16 values, nmax 32, x^2 weights) for the
 * sixteen sub-blocks of a super-block at once, one sub-block per vector lane. It is most of the cost of
 * quantizing to Q6_K, which llama.cpp gives the output head (or tied embedding) of every model whose
 * rows split into 256.
 *
 * <p>The search cannot be vectorized along a sub-block: its sums are float sums in a fixed order, and a
 * one-ulp change in a trial's error can pick another scale. Across sub-blocks each lane runs exactly
 * the scalar code's operations in its order (separate multiplies and adds, no fused multiply-add), so
 * the bytes are the reference's ({@code VectorQ6KSearchProperties} compares them). It is cut into small
 * methods that pass their state through {@link Work}: as one method it outgrew the JIT's inlining
 * budget and the vector operations it stopped inlining ran as plain Java.
 */
final class VectorQ6KSearch {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Lanes must divide the sixteen sub-blocks; narrower machines run the scalar search. */
    static final boolean USABLE = F.length() >= 4 && 16 % F.length() == 0 && I.length() == F.length();
    private static final int N = 16;
    private static final int NMAX = 32;
    private static final FloatVector MAGIC = FloatVector.broadcast(F, 12582912.f);
    private static final IntVector MANTISSA = IntVector.broadcast(I, 0x007fffff);
    private static final IntVector HALF = IntVector.broadcast(I, 0x00400000);
    private static final IntVector LOW = IntVector.broadcast(I, -NMAX);
    private static final IntVector HIGH = IntVector.broadcast(I, NMAX - 1);
    private static final IntVector OFFSET = IntVector.broadcast(I, NMAX);

    private VectorQ6KSearch() {
    }

    static VectorSpecies<Float> species() {
        return F;
    }

    /**
     * For the 256 values at {@code x[xo]}: each sub-block's scale into {@code scales[0..16)} and its
     * codes (0..63) into {@code L[0..256)}.
     */
    static void search(float[] x, int xo, float[] scales, int[] L, Work work) {
        int vl = F.length();
        for (int g0 = 0; g0 < 16; g0 += vl) {
            // Transpose: element i of lane j is value i of sub-block g0 + j.
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) work.x[i * vl + j] = x[xo + 16 * (g0 + j) + i];
            }
            first(work);
            for (int is = -9; is <= 9; is++) {
                if (is != 0) trial(work, -(NMAX + 0.1f * is));
            }
            finish(work, g0, scales);
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) L[16 * (g0 + j) + i] = work.codes[i * vl + j];
            }
        }
    }

    /** The signed value of largest magnitude, the plain rounding against it, and its least-squares scale. */
    private static void first(Work work) {
        int vl = F.length();
        FloatVector amax = FloatVector.zero(F);
        FloatVector max = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, work.x, i * vl);
            FloatVector ax = xi.abs();
            VectorMask<Float> bigger = ax.compare(VectorOperators.GT, amax);
            amax = amax.blend(ax, bigger);
            max = max.blend(xi, bigger);
        }
        amax.intoArray(work.amax, 0);
        max.intoArray(work.max, 0);
        FloatVector iscale = FloatVector.broadcast(F, (float) -NMAX).div(max);
        FloatVector sumlx = FloatVector.zero(F);
        FloatVector suml2 = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, work.x, i * vl);
            IntVector l = codes(iscale, xi);
            l.add(OFFSET).intoArray(work.codes, i * vl);
            FloatVector lf = (FloatVector) l.convert(VectorOperators.I2F, 0);
            FloatVector w = xi.mul(xi);
            FloatVector wx = w.mul(xi);
            w.intoArray(work.w, i * vl);
            wx.intoArray(work.wx, i * vl);
            sumlx = sumlx.add(wx.mul(lf));
            suml2 = suml2.add(w.mul(lf).mul(lf));
        }
        FloatVector scale = sumlx.div(suml2).blend(0f, suml2.compare(VectorOperators.EQ, 0f));
        scale.intoArray(work.scale, 0);
        scale.mul(sumlx).intoArray(work.best, 0);
    }

    /** Trial scale {@code numerator / max}: kept where its fit is better. */
    private static void trial(Work work, float numerator) {
        int vl = F.length();
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, work.max, 0));
        FloatVector sumlx = FloatVector.zero(F);
        FloatVector suml2 = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector lf = (FloatVector) codes(iscale, FloatVector.fromArray(F, work.x, i * vl)).convert(VectorOperators.I2F, 0);
            sumlx = sumlx.add(FloatVector.fromArray(F, work.wx, i * vl).mul(lf));
            suml2 = suml2.add(FloatVector.fromArray(F, work.w, i * vl).mul(lf).mul(lf));
        }
        FloatVector best = FloatVector.fromArray(F, work.best, 0);
        VectorMask<Float> better = suml2.compare(VectorOperators.GT, 0f)
                .and(sumlx.mul(sumlx).compare(VectorOperators.GT, best.mul(suml2)));
        if (!better.anyTrue()) return;
        VectorMask<Integer> take = better.cast(I);
        for (int i = 0; i < N; i++) {
            IntVector old = IntVector.fromArray(I, work.codes, i * vl);
            old.blend(codes(iscale, FloatVector.fromArray(F, work.x, i * vl)).add(OFFSET), take).intoArray(work.codes, i * vl);
        }
        FloatVector scale = FloatVector.fromArray(F, work.scale, 0).blend(sumlx.div(suml2), better);
        scale.intoArray(work.scale, 0);
        best.blend(scale.mul(sumlx), better).intoArray(work.best, 0);
    }

    /** Scales out; an all-zero sub-block gets scale 0 and codes 0. */
    private static void finish(Work work, int g0, float[] scales) {
        int vl = F.length();
        VectorMask<Float> zero = FloatVector.fromArray(F, work.amax, 0).compare(VectorOperators.LT, KQuantSearch.GROUP_MAX_EPS);
        FloatVector.fromArray(F, work.scale, 0).blend(0f, zero).intoArray(scales, g0);
        VectorMask<Integer> zeroI = zero.cast(I);
        for (int i = 0; i < N; i++) IntVector.fromArray(I, work.codes, i * vl).blend(0, zeroI).intoArray(work.codes, i * vl);
    }

    /** One thread's scratch: sub-blocks transposed to lanes, their weights x^2 and x^3, codes, and each lane's state. */
    static final class Work {
        final float[] x = new float[256];
        final float[] w = new float[256];
        final float[] wx = new float[256];
        final int[] codes = new int[256];
        final float[] amax = new float[16];
        final float[] max = new float[16];
        final float[] scale = new float[16];
        final float[] best = new float[16];
    }

    /** {@code clamp(nearest_int(iscale * x), -32, 31)}, nearest_int by ggml's float trick. */
    private static IntVector codes(FloatVector iscale, FloatVector x) {
        IntVector bits = (IntVector) iscale.mul(x).add(MAGIC).reinterpretAsInts();
        return bits.and(MANTISSA).sub(HALF).max(LOW).min(HIGH);
    }
}
