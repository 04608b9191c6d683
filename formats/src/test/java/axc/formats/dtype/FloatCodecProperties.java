package axc.formats.dtype;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatCodecProperties {
    @Property
    void bf16RoundsToTheNearestRepresentable(@ForAll float f) {
        if (Float.isNaN(f)) {
            assertTrue(Float.isNaN(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(f))));
            return;
        }
        float r = FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(f));
        if (Float.isInfinite(r) && !Float.isInfinite(f)) return; // rounded past the largest bf16
        // The neighbours of r in bf16 are no closer to f than r is.
        short b = FloatCodec.floatToBf16(f);
        float up = FloatCodec.bf16ToFloat((short) (b + 1));
        float down = FloatCodec.bf16ToFloat((short) (b - 1));
        double err = Math.abs((double) r - f);
        if (!Float.isNaN(up) && !Float.isInfinite(up)) assertTrue(err <= Math.abs((double) up - f), f + " -> " + r);
        if (!Float.isNaN(down) && !Float.isInfinite(down)) assertTrue(err <= Math.abs((double) down - f), f + " -> " + r);
    }

    @Property
    void bf16ValuesRoundTripExactly(@ForAll short bits) {
        float f = FloatCodec.bf16ToFloat(bits);
        if (!Float.isNaN(f)) assertEquals(bits, FloatCodec.floatToBf16(f));
    }

    @Property
    void f16ValuesRoundTripExactly(@ForAll short bits) {
        float f = FloatCodec.f16ToFloat(bits);
        if (!Float.isNaN(f)) assertEquals(bits, FloatCodec.floatToF16(f));
    }
}
