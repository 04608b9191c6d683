package axc.target.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species one kernel width works with: float lanes, the int lanes of the same shape (for
 * bit manipulation of half-precision values), the short lanes holding as many values as a float vector
 * (BF16/F16 loads) and the byte lanes for int8/int4 codes ({@code parts} float vectors per byte vector).
 * A record, so that a {@code static final} instance's fields are constants to the JIT and the kernels
 * inlined with it compile to vector instructions.
 */
public record Lanes(VectorSpecies<Float> f, VectorSpecies<Integer> i, VectorSpecies<Short> s, VectorSpecies<Byte> b, int parts) {
    /** The widest float vector of this machine. */
    public static final Lanes PREFERRED = of(FloatVector.SPECIES_PREFERRED);

    public static Lanes of(VectorSpecies<Float> f) {
        int lanes = f.length();
        VectorSpecies<Short> s = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, lanes * 16)));
        VectorSpecies<Byte> b = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, lanes * 8)));
        if (s.length() != lanes) throw new IllegalArgumentException("no short vector of " + lanes + " lanes");
        if (b.length() % lanes != 0 || 16 % b.length() != 0) throw new IllegalArgumentException("no byte vector for " + lanes + " float lanes");
        return new Lanes(f, f.withLanes(int.class), s, b, b.length() / lanes);
    }

    /** Float lanes. */
    public int length() {
        return f.length();
    }
}
