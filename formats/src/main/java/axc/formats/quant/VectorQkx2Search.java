package axc.formats.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K's and Q5_K's group search ({@link Q4_K.KScratch#searchGroups}: weights {@code av_x + |x|}, then
 * {@link KQuantSearch#makeQkx2Quants} over 32 values with up to 21 trial scales) for the eight groups
 * of a super-block at once, one group per vector lane. It was most of the time of a Q4_K_M quantize.
 *
 * <p>As with {@link VectorQ6KSearch}, each lane runs the scalar code's float operations in its order
 * (separate multiplies and adds, comparisons and blends where the scalar code branches), so the bytes
 * do not change; {@code VectorQkx2SearchProperties} compares them at every width this runs at. The
 * search is cut into small methods that pass their state through {@link Work}'s arrays: as one method
 * it outgrew the JIT's inlining budget, and the vector operations it no longer inlined ran as
 * ordinary Java, at a third of the speed.
 */
final class VectorQkx2Search {
    private static final int GROUPS = 8;
    private static final int N = 32;
    /** Eight lanes where the machine has them (a 256-bit shape), else its preferred width if that divides eight. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() >= GROUPS
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
    static final boolean USABLE = F.length() >= 4 && GROUPS % F.length() == 0 && I.length() == F.length();
    private static final FloatVector MAGIC = FloatVector.broadcast(F, 12582912.f);
    private static final IntVector MANTISSA = IntVector.broadcast(I, 0x007fffff);
    private static final IntVector HALF = IntVector.broadcast(I, 0x00400000);
    private static final IntVector ZERO_I = IntVector.zero(I);

    private VectorQkx2Search() {
    }

    static VectorSpecies<Float> species() {
        return F;
    }

    /** One thread's scratch: lanes of values, weights and codes, and each lane's running state. */
    static final class Work {
        final float[] x = new float[GROUPS * N];
        final float[] w = new float[GROUPS * N];
        final int[] best = new int[GROUPS * N];
        final int[] trial = new int[GROUPS * N];
        final float[] min = new float[GROUPS];
        final float[] max = new float[GROUPS];
        final float[] sumW = new float[GROUPS];
        final float[] sumX = new float[GROUPS];
        final float[] scale = new float[GROUPS];
        final float[] bestError = new float[GROUPS];
        /** 1 where the group is flat (max == min before any trial): its trials never replace the rounding. */
        final float[] flat = new float[GROUPS];
    }

    /**
     * For the 256 values at {@code x[xo]}: each group's scale into {@code scales[0..8)}, its min (as
     * {@code makeQkx2Quants} hands it out, negated) into {@code mins}, its codes into {@code L[0..256)}.
     * Trial scales are {@code (rmin + rdelta * is + nmax) / (max - min)} for {@code is = 0..nstep},
     * {@code nstep >= 1}.
     */
    static void search(float[] x, int xo, int nmax, float rmin, float rdelta, int nstep, float[] scales, float[] mins, int[] L, Work work) {
        int vl = F.length();
        for (int g0 = 0; g0 < GROUPS; g0 += vl) {
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) work.x[i * vl + j] = x[xo + N * (g0 + j) + i];
            }
            prepare(work);
            first(work, nmax);
            for (int is = 0; is <= nstep; is++) trial(work, nmax, rmin + rdelta * is + nmax);
            finish(work, g0, scales, mins);
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) L[N * (g0 + j) + i] = work.best[i * vl + j];
            }
        }
    }

    /** Weights av_x + |x| (av_x the group's RMS; sqrt in float equals the scalar's double sqrt rounded), min, max and sums. */
    private static void prepare(Work work) {
        int vl = F.length();
        float[] xt = work.x;
        FloatVector sumX2 = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
            sumX2 = sumX2.add(xi.mul(xi));
        }
        FloatVector avX = sumX2.div(N).sqrt();
        for (int i = 0; i < N; i++) avX.add(FloatVector.fromArray(F, xt, i * vl).abs()).intoArray(work.w, i * vl);
        FloatVector x0 = FloatVector.fromArray(F, xt, 0);
        FloatVector min = x0;
        FloatVector max = x0;
        FloatVector sumW = FloatVector.fromArray(F, work.w, 0);
        FloatVector sumX = sumW.mul(x0);
        for (int i = 1; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
            FloatVector w = FloatVector.fromArray(F, work.w, i * vl);
            min = min.blend(xi, xi.compare(VectorOperators.LT, min));
            max = max.blend(xi, xi.compare(VectorOperators.GT, max));
            sumW = sumW.add(w);
            sumX = sumX.add(w.mul(xi));
        }
        min = min.blend(0f, min.compare(VectorOperators.GT, 0f));
        min.intoArray(work.min, 0);
        max.intoArray(work.max, 0);
        FloatVector.zero(F).blend(1f, max.compare(VectorOperators.EQ, min)).intoArray(work.flat, 0);
        sumW.intoArray(work.sumW, 0);
        sumX.intoArray(work.sumX, 0);
    }

    /** The plain rounding at scale (max - min) / nmax, and its weighted squared error. */
    private static void first(Work work, int nmax) {
        int vl = F.length();
        FloatVector min = FloatVector.fromArray(F, work.min, 0);
        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(FloatVector.fromArray(F, work.max, 0).sub(min));
        FloatVector scale = FloatVector.broadcast(F, 1f).div(iscale);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector bestError = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, work.x, i * vl);
            IntVector l = codes(iscale, xi.sub(min), top);
            l.intoArray(work.best, i * vl);
            FloatVector diff = scale.mul((FloatVector) l.convert(VectorOperators.I2F, 0)).add(min).sub(xi);
            bestError = bestError.add(FloatVector.fromArray(F, work.w, i * vl).mul(diff.mul(diff)));
        }
        scale.intoArray(work.scale, 0);
        bestError.intoArray(work.bestError, 0);
    }

    /** One trial scale {@code numerator / (max - min)}: its least-squares scale and min, kept where they fit better. */
    private static void trial(Work work, int nmax, float numerator) {
        int vl = F.length();
        FloatVector min = FloatVector.fromArray(F, work.min, 0);
        // The range uses the best min so far, as the scalar search's does.
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, work.max, 0).sub(min));
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector sumL = FloatVector.zero(F);
        FloatVector sumL2 = FloatVector.zero(F);
        FloatVector sumXl = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, work.x, i * vl);
            IntVector l = codes(iscale, xi.sub(min), top);
            l.intoArray(work.trial, i * vl);
            FloatVector lf = (FloatVector) l.convert(VectorOperators.I2F, 0);
            FloatVector wl = FloatVector.fromArray(F, work.w, i * vl).mul(lf);
            sumL = sumL.add(wl);
            sumL2 = sumL2.add(wl.mul(lf));
            sumXl = sumXl.add(wl.mul(xi));
        }
        FloatVector sumW = FloatVector.fromArray(F, work.sumW, 0);
        FloatVector sumX = FloatVector.fromArray(F, work.sumX, 0);
        FloatVector d = sumW.mul(sumL2).sub(sumL.mul(sumL));
        VectorMask<Float> solvable = d.compare(VectorOperators.GT, 0f);
        if (!solvable.anyTrue()) return;
        FloatVector thisScale = sumW.mul(sumXl).sub(sumX.mul(sumL)).div(d);
        FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXl)).div(d);
        VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0f);
        thisMin = thisMin.blend(0f, positive);
        thisScale = thisScale.blend(sumXl.div(sumL2), positive);
        FloatVector error = FloatVector.zero(F);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, work.x, i * vl);
            FloatVector lf = (FloatVector) IntVector.fromArray(I, work.trial, i * vl).convert(VectorOperators.I2F, 0);
            FloatVector diff = thisScale.mul(lf).add(thisMin).sub(xi);
            error = error.add(FloatVector.fromArray(F, work.w, i * vl).mul(diff.mul(diff)));
        }
        FloatVector bestError = FloatVector.fromArray(F, work.bestError, 0);
        VectorMask<Float> better = solvable.and(error.compare(VectorOperators.LT, bestError));
        if (!better.anyTrue()) return;
        VectorMask<Integer> take = better.cast(I);
        for (int i = 0; i < N; i++) {
            IntVector.fromArray(I, work.best, i * vl).blend(IntVector.fromArray(I, work.trial, i * vl), take).intoArray(work.best, i * vl);
        }
        bestError.blend(error, better).intoArray(work.bestError, 0);
        FloatVector.fromArray(F, work.scale, 0).blend(thisScale, better).intoArray(work.scale, 0);
        min.blend(thisMin, better).intoArray(work.min, 0);
    }

    /** Scales and mins out; a flat group gets codes 0, scale 0 and its min as it was. */
    private static void finish(Work work, int g0, float[] scales, float[] mins) {
        int vl = F.length();
        FloatVector min = FloatVector.fromArray(F, work.min, 0);
        VectorMask<Float> flat = FloatVector.fromArray(F, work.flat, 0).compare(VectorOperators.NE, 0f);
        FloatVector.fromArray(F, work.scale, 0).blend(0f, flat).intoArray(scales, g0);
        min.neg().intoArray(mins, g0);
        VectorMask<Integer> flatI = flat.cast(I);
        for (int i = 0; i < N; i++) IntVector.fromArray(I, work.best, i * vl).blend(ZERO_I, flatI).intoArray(work.best, i * vl);
    }

    /** {@code clamp(nearest_int(iscale * v), 0, nmax)}, nearest_int by ggml's float trick. */
    private static IntVector codes(FloatVector iscale, FloatVector v, IntVector top) {
        IntVector bits = (IntVector) iscale.mul(v).add(MAGIC).reinterpretAsInts();
        return bits.and(MANTISSA).sub(HALF).max(ZERO_I).min(top);
    }
}
