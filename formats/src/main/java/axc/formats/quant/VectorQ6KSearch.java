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
 * the bytes are the reference's ({@code VectorQ6KSearchProperties} compares them).
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
        float[] xt = work.x;
        float[] wt = work.w;
        float[] wxt = work.wx;
        int[] lt = work.codes;
        int vl = F.length();
        for (int g0 = 0; g0 < 16; g0 += vl) {
            // Transpose: element i of lane j is value i of sub-block g0 + j.
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) xt[i * vl + j] = x[xo + 16 * (g0 + j) + i];
            }
            FloatVector amax = FloatVector.zero(F);
            FloatVector max = FloatVector.zero(F);
            for (int i = 0; i < N; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
                FloatVector ax = xi.abs();
                VectorMask<Float> bigger = ax.compare(VectorOperators.GT, amax);
                amax = amax.blend(ax, bigger);
                max = max.blend(xi, bigger);
            }
            VectorMask<Float> zero = amax.compare(VectorOperators.LT, KQuantSearch.GROUP_MAX_EPS);

            FloatVector iscale = FloatVector.broadcast(F, (float) -NMAX).div(max);
            FloatVector sumlx = FloatVector.zero(F);
            FloatVector suml2 = FloatVector.zero(F);
            for (int i = 0; i < N; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
                IntVector l = codes(iscale, xi);
                l.add(OFFSET).intoArray(lt, i * vl);
                FloatVector lf = (FloatVector) l.convert(VectorOperators.I2F, 0);
                FloatVector w = xi.mul(xi);
                FloatVector wx = w.mul(xi);
                w.intoArray(wt, i * vl);
                wx.intoArray(wxt, i * vl);
                sumlx = sumlx.add(wx.mul(lf));
                suml2 = suml2.add(w.mul(lf).mul(lf));
            }
            VectorMask<Float> nonZero = suml2.compare(VectorOperators.NE, 0f);
            FloatVector scale = sumlx.div(suml2).blend(0f, nonZero.not());
            FloatVector best = scale.mul(sumlx);
            for (int is = -9; is <= 9; is++) {
                if (is == 0) continue;
                iscale = FloatVector.broadcast(F, -(NMAX + 0.1f * is)).div(max);
                sumlx = FloatVector.zero(F);
                suml2 = FloatVector.zero(F);
                for (int i = 0; i < N; i++) {
                    FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
                    FloatVector lf = (FloatVector) codes(iscale, xi).convert(VectorOperators.I2F, 0);
                    sumlx = sumlx.add(FloatVector.fromArray(F, wxt, i * vl).mul(lf));
                    suml2 = suml2.add(FloatVector.fromArray(F, wt, i * vl).mul(lf).mul(lf));
                }
                VectorMask<Float> better = suml2.compare(VectorOperators.GT, 0f)
                        .and(sumlx.mul(sumlx).compare(VectorOperators.GT, best.mul(suml2)));
                if (!better.anyTrue()) continue;
                VectorMask<Integer> take = better.cast(I);
                for (int i = 0; i < N; i++) {
                    FloatVector xi = FloatVector.fromArray(F, xt, i * vl);
                    IntVector old = IntVector.fromArray(I, lt, i * vl);
                    old.blend(codes(iscale, xi).add(OFFSET), take).intoArray(lt, i * vl);
                }
                scale = scale.blend(sumlx.div(suml2), better);
                best = best.blend(scale.mul(sumlx), better);
            }
            scale = scale.blend(0f, zero);
            scale.intoArray(scales, g0);
            VectorMask<Integer> zeroI = zero.cast(I);
            for (int i = 0; i < N; i++) {
                IntVector.fromArray(I, lt, i * vl).blend(0, zeroI).intoArray(lt, i * vl);
            }
            for (int j = 0; j < vl; j++) {
                for (int i = 0; i < N; i++) L[16 * (g0 + j) + i] = lt[i * vl + j];
            }
        }
    }

    /** One thread's scratch: a super-block transposed to lanes, its weights x^2 and x^3, and codes. */
    static final class Work {
        final float[] x = new float[256];
        final float[] w = new float[256];
        final float[] wx = new float[256];
        final int[] codes = new int[256];
    }

    /** {@code clamp(nearest_int(iscale * x), -32, 31)}, nearest_int by ggml's float trick. */
    private static IntVector codes(FloatVector iscale, FloatVector x) {
        IntVector bits = (IntVector) iscale.mul(x).add(MAGIC).reinterpretAsInts();
        return bits.and(MANTISSA).sub(HALF).max(LOW).min(HIGH);
    }
}
