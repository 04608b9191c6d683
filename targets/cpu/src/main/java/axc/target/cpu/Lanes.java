package axc.target.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the kernels work with, as {@code static final} constants (the JIT compiles Vector
 * API code to vector instructions only when the species is a constant): float lanes, the int lanes
 * of the same shape (bit manipulation of half-precision values), the short lanes holding as many
 * values as a float vector (BF16/F16 loads) and the byte lanes of int8/int4 codes ({@link #PARTS} float
 * vectors per byte vector). The width is this machine's widest unless the system property
 * {@code axc.cpu.vector-bits} (128, 256 or 512) names another, which is how the kernels are checked
 * at several widths.
 */
public final class Lanes {
    private Lanes() {
    }

    public static final VectorSpecies<Float> F = floats(System.getProperty("axc.cpu.vector-bits"));
    public static final int LENGTH = F.length();
    public static final VectorSpecies<Integer> I = F.withLanes(int.class);
    public static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, LENGTH * 16)));
    public static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LENGTH * 8)));
    public static final int PARTS = B.length() / LENGTH;

    static VectorSpecies<Float> floats(String bits) {
        if (bits == null || bits.isBlank()) return FloatVector.SPECIES_PREFERRED;
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("axc.cpu.vector-bits is " + bits + " (128, 256 or 512)");
        };
    }

    /** Lane i takes lane i + h (mod the length): one level of {@link #sum}'s tree each. */
    private static final VectorShuffle<Float> ROT8 = rotation(8), ROT4 = rotation(4), ROT2 = rotation(2), ROT1 = rotation(1);

    private static VectorShuffle<Float> rotation(int h) {
        return VectorShuffle.fromOp(F, i -> (i + h) % F.length());
    }

    /**
     * The sum of {@code v}'s lanes in a fixed tree: each level adds the vector to itself rotated by
     * half the remaining width, and lane 0 ends with the total. {@code reduceLanes(ADD)} adds in one
     * order when C2 has compiled it and in another when it has not, so the same input gave results
     * an ulp apart depending on how far the JIT had got. Rotations move data and lane-wise adds are
     * exact IEEE operations, so this order is the same either way, at the cost of a reduction.
     */
    public static float sum(FloatVector v) {
        if (LENGTH > 16) throw new IllegalStateException(LENGTH + " float lanes");
        if (LENGTH == 16) v = v.add(v.rearrange(ROT8));
        if (LENGTH >= 8) v = v.add(v.rearrange(ROT4));
        v = v.add(v.rearrange(ROT2));
        v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }
}
