package axc.formats.quant;

import axc.formats.dtype.DType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quantize/dequantize round trips on random rows of several shapes of distribution. */
class QuantizeProperties {
    private static final DType[] LEGACY = {DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1};
    private static final DType[] KQUANTS = {DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K};

    @Provide
    Arbitrary<DType> legacy() {
        return Arbitraries.of(LEGACY);
    }

    @Provide
    Arbitrary<DType> kquants() {
        return Arbitraries.of(KQUANTS);
    }

    @Provide
    Arbitrary<DType> blockTypes() {
        return Arbitraries.of(DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1,
                DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K);
    }

    /**
     * A row of {@code n} values: 0 normal, 1 uniform, 2 normal with every 37th value x8 (outlier
     * columns, as in real checkpoints), 3 a sparse mix of large and small values, 4 log-normal
     * magnitudes with random signs (heavy tails), capped at 1000 so that with scales up to 10 the values
     * and the block mins stay inside the f16 range.
     */
    static float[] row(long seed, int mode, int n, double scale) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double v = switch (mode) {
                case 0 -> r.nextGaussian();
                case 1 -> r.nextDouble() * 2 - 1;
                case 2 -> r.nextGaussian() * (i % 37 == 0 ? 8 : 1);
                case 3 -> r.nextDouble() < 0.1 ? r.nextGaussian() * 10 : r.nextGaussian() * 0.1;
                default -> Math.min(1000, Math.exp(r.nextGaussian() * 2)) * (r.nextBoolean() ? 1 : -1);
            };
            x[i] = (float) (v * scale);
        }
        return x;
    }

    static float[] roundTrip(DType t, float[] x) {
        byte[] q = Quantizer.quantize(t, x, 0, x.length);
        return Dequantizer.dequantize(t, MemorySegment.ofArray(q), x.length);
    }

    /** Worst-case error of storing v as f16: half an ulp, or half the smallest subnormal. */
    private static double f16Err(double v) {
        return Math.max(Math.abs(v) * 0x1p-11, 0x1p-25);
    }

    /**
     * Legacy types round to the nearest level of a step d (RTN), so the error is at most d/2 plus
     * what storing d (and the min) in f16 moves the level. The one exception is the spare level of
     * Q4_0/Q5_0: the signed extreme sits on -8 (-16), and values past +7.5 (+15.5) steps on the other
     * side clamp to +7 (+15), up to a whole step away.
     */
    @Property(tries = 400)
    void legacyErrorIsWithinHalfAStep(@ForAll("legacy") DType t, @ForAll long seed, @ForAll @IntRange(max = 4) int mode,
                                      @ForAll @DoubleRange(min = -2, max = 1) double log10Scale) {
        float[] x = row(seed, mode, 4 * t.blockSize(), Math.pow(10, log10Scale));
        float[] y = roundTrip(t, x);
        for (int b = 0; b < x.length; b += 32) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            float amax = 0;
            float signedMax = 0;
            for (int i = b; i < b + 32; i++) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
                if (Math.abs(x[i]) > amax) {
                    amax = Math.abs(x[i]);
                    signedMax = x[i];
                }
            }
            double eps = 4e-6 * amax;
            for (int i = b; i < b + 32; i++) {
                double err = Math.abs((double) y[i] - x[i]);
                double bound = switch (t) {
                    case Q8_0 -> {
                        double d = amax / 127.0;
                        yield d / 2 + 127 * f16Err(d);
                    }
                    case Q4_0, Q5_0 -> {
                        int half = t == DType.Q4_0 ? 8 : 16;
                        double d = Math.abs(signedMax) / half;
                        boolean spare = x[i] * (-half / (double) signedMax) > half - 0.5 - 1e-4;
                        yield (spare ? d : d / 2) + half * f16Err(d);
                    }
                    default -> {
                        int top = t == DType.Q4_1 ? 15 : 31;
                        double d = ((double) max - min) / top;
                        yield d / 2 + top * f16Err(d) + f16Err(min);
                    }
                };
                assertTrue(err <= bound + eps, t + " value " + i + ": " + x[i] + " -> " + y[i] + ", error " + err + " > " + bound);
            }
        }
    }

    /**
     * K-quants quantize their group scales too, and search them by weighted error rather than
     * rounding to the nearest level, so their bound is empirical: per 256-value block, the largest
     * error relative to the block's absolute max and the RMS error relative to its RMS stay below
     * limits about 1.4x the worst seen over 40k blocks of each type.
     */
    @Property(tries = 300)
    void kQuantErrorIsBounded(@ForAll("kquants") DType t, @ForAll long seed, @ForAll @IntRange(max = 4) int mode,
                              @ForAll @DoubleRange(min = -2, max = 1) double log10Scale) {
        float[] x = row(seed, mode, 512, Math.pow(10, log10Scale));
        float[] y = roundTrip(t, x);
        double maxLimit = switch (t) {
            case Q2_K -> 0.6;
            case Q3_K -> 0.4;
            case Q4_K -> 0.17;
            case Q5_K -> 0.1;
            default -> 0.04;
        };
        double rmsLimit = switch (t) {
            case Q2_K -> 1.0;
            case Q3_K -> 0.4;
            case Q4_K -> 0.17;
            case Q5_K -> 0.1;
            default -> 0.06;
        };
        for (int b = 0; b < x.length; b += 256) {
            double amax = 0;
            double ss = 0;
            double se = 0;
            double maxErr = 0;
            for (int i = b; i < b + 256; i++) {
                amax = Math.max(amax, Math.abs(x[i]));
                ss += (double) x[i] * x[i];
                double e = Math.abs((double) y[i] - x[i]);
                se += e * e;
                maxErr = Math.max(maxErr, e);
            }
            assertTrue(maxErr <= maxLimit * amax, t + ": max error " + maxErr / amax + " of the block's amax");
            assertTrue(Math.sqrt(se / ss) <= rmsLimit, t + ": RMS error " + Math.sqrt(se / ss) + " of the block's RMS");
        }
    }

    /**
     * Every step of the reference algorithms commutes with scaling by a power of two (products,
     * quotients, square roots and roundings of ratios all do), so while the stored f16 scales stay
     * normal, quantizing 2^k x dequantizes to exactly 2^k times what x does. This catches any
     * stray absolute constant in the arithmetic.
     */
    @Property(tries = 300)
    void scalingByAPowerOfTwoIsExact(@ForAll("blockTypes") DType t, @ForAll long seed, @ForAll @IntRange(max = 4) int mode,
                                     @ForAll @IntRange(min = -1, max = 3) int k) {
        float[] x = row(seed, mode, 512, 1);
        float amax = 0;
        for (float v : x) amax = Math.max(amax, Math.abs(v));
        float norm = 4 / amax;
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] *= norm;
            scaled[i] = Math.scalb(x[i], k);
        }
        byte[] qa = Quantizer.quantize(t, x, 0, x.length);
        byte[] qb = Quantizer.quantize(t, scaled, 0, x.length);
        Assume.that(f16FieldsNormal(t, qa) && f16FieldsNormal(t, qb));
        float[] ya = Dequantizer.dequantize(t, MemorySegment.ofArray(qa), x.length);
        float[] yb = Dequantizer.dequantize(t, MemorySegment.ofArray(qb), x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(Math.scalb(ya[i], k)), Float.floatToRawIntBits(yb[i]), t + " value " + i);
        }
    }

    private static boolean f16FieldsNormal(DType t, byte[] q) {
        int[] fields = switch (t) {
            case Q8_0, Q4_0, Q5_0 -> new int[]{0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[]{0, 2};
            case Q2_K -> new int[]{80, 82};
            case Q3_K -> new int[]{108};
            case Q6_K -> new int[]{208};
            default -> throw new IllegalArgumentException(t.toString());
        };
        MemorySegment s = MemorySegment.ofArray(q);
        for (long b = 0; b < q.length; b += t.blockBytes()) {
            for (int f : fields) {
                int exp = (s.get(BlockIo.LE_SHORT, b + f) >>> 10) & 0x1F;
                if (exp == 0 || exp == 0x1F) return false;
            }
        }
        return true;
    }

    /**
     * Symmetric RTN types land back on their own grid: the extreme dequantizes to exactly
     * (top level) x d, which gives back the same d, and every other value sits on a level.
     */
    @Property(tries = 300)
    void symmetricRequantizationIsIdempotent(@ForAll("symmetric") DType t, @ForAll long seed, @ForAll @IntRange(max = 4) int mode,
                                             @ForAll @DoubleRange(min = -2, max = 1) double log10Scale) {
        float[] x = row(seed, mode, 128, Math.pow(10, log10Scale));
        byte[] q = Quantizer.quantize(t, x, 0, x.length);
        float[] y = Dequantizer.dequantize(t, MemorySegment.ofArray(q), x.length);
        assertArrayEquals(q, Quantizer.quantize(t, y, 0, y.length));
    }

    @Provide
    Arbitrary<DType> symmetric() {
        return Arbitraries.of(DType.Q8_0, DType.Q4_0, DType.Q5_0);
    }

    /** Blocks are quantized independently: any split of a row along block boundaries gives the same bytes. */
    @Property(tries = 100)
    void blocksAreIndependent(@ForAll("blockTypes") DType t, @ForAll long seed, @ForAll @IntRange(max = 4) int mode,
                              @ForAll @IntRange(min = 1, max = 3) int splitBlocks) {
        int bs = t.blockSize();
        float[] x = row(seed, mode, 4 * bs, 0.05);
        byte[] whole = Quantizer.quantize(t, x, 0, x.length);
        byte[] head = Quantizer.quantize(t, x, 0, splitBlocks * bs);
        byte[] tail = Quantizer.quantize(t, x, splitBlocks * bs, x.length - splitBlocks * bs);
        byte[] joined = Arrays.copyOf(head, whole.length);
        System.arraycopy(tail, 0, joined, head.length, tail.length);
        assertArrayEquals(whole, joined);
    }

    @Example
    void zeroAndConstantRowsRoundTrip() {
        for (DType t : new DType[]{DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1,
                DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K}) {
            float[] zeros = new float[512];
            // Q4_0/Q5_0 store d = 0/-8 = -0.0, as llama.cpp does, so zeros may come back as -0.0.
            for (float v : roundTrip(t, zeros)) assertEquals(0, Math.abs(v), t.toString());
            float[] ones = new float[512];
            Arrays.fill(ones, 0.75f);
            float[] y = roundTrip(t, ones);
            for (float v : y) assertEquals(0.75, v, 0.75 * 0.01, t.toString());
        }
    }
}
