package axc.formats.quant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every one of the 65536 bit patterns, in vector lanes and in the scalar tail, against the JDK's decode. */
class HalfDecoderTest {
    @Test
    void everyHalfDecodesAsTheJdkDoes() {
        short[] h = new short[65536 + 5];   // a tail the vector loop leaves to the scalar one
        for (int i = 0; i < h.length; i++) h[i] = (short) i;
        float[] out = new float[h.length + 3];
        HalfDecoder.f16(h, h.length, out, 3);
        for (int i = 0; i < h.length; i++) {
            assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(h[i])), Float.floatToRawIntBits(out[3 + i]), "half 0x" + Integer.toHexString(i & 0xFFFF));
        }
    }

    @Test
    void everyBfloat16DecodesToItsFloat() {
        short[] h = new short[65536 + 5];
        for (int i = 0; i < h.length; i++) h[i] = (short) i;
        float[] out = new float[h.length];
        HalfDecoder.bf16(h, h.length, out, 0);
        for (int i = 0; i < h.length; i++) assertEquals((h[i] & 0xFFFF) << 16, Float.floatToRawIntBits(out[i]), "bf16 0x" + Integer.toHexString(i & 0xFFFF));
    }
}
