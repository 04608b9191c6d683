package axc.formats.tensor;

import axc.formats.dtype.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** NaN and infinities found by their bits in each float storage, and through the decoded values of a block type (a non-finite scale). */
class NonFiniteScanTest {
    private static NonFiniteScan.Finding scan(DType t, long n, ByteBuffer b) {
        return NonFiniteScan.scan(new TensorInfo("w", t, new long[]{n}, 0, b.capacity()), MemorySegment.ofArray(b.array()));
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void floatStorageIsJudgedByItsBits() {
        ByteBuffer f32 = buffer(4 * 6);
        for (float v : new float[]{1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MAX_VALUE}) f32.putFloat(v);
        assertEquals(new NonFiniteScan.Finding("w", 1, 2, 6), scan(DType.F32, 6, f32));

        ByteBuffer f16 = buffer(2 * 5);
        for (int v : new int[]{0x3C00, 0x7E00, 0xFC00, 0x7BFF, 0x7C01}) f16.putShort((short) v); // 1, NaN, -inf, max, NaN (signalling)
        assertEquals(new NonFiniteScan.Finding("w", 2, 1, 5), scan(DType.F16, 5, f16));

        ByteBuffer bf16 = buffer(2 * 4);
        for (int v : new int[]{0x3F80, 0x7FC0, 0x7F80, 0x7F7F}) bf16.putShort((short) v); // 1, NaN, +inf, max finite
        assertEquals(new NonFiniteScan.Finding("w", 1, 1, 4), scan(DType.BF16, 4, bf16));
    }

    @Test
    void aBlockWithANonFiniteScaleMakesItsValuesNonFinite() {
        ByteBuffer q = buffer(3 * 34); // three Q8_0 blocks: f16 scale, 32 int8 codes
        for (int scale : new int[]{0x3C00, 0x7C00, 0x7E00}) {
            q.putShort((short) scale);
            for (int i = 0; i < 32; i++) q.put((byte) (i - 16));
        }
        // inf * 0 is NaN: the infinite block holds 31 infinities and one NaN; the NaN block, 32 NaNs.
        assertEquals(new NonFiniteScan.Finding("w", 33, 31, 96), scan(DType.Q8_0, 96, q));
    }

    @Test
    void integersAreNeverNonFinite() {
        ByteBuffer i32 = buffer(8).putInt(0x7FC00000).putInt(0x7F800000);
        assertEquals(new NonFiniteScan.Finding("w", 0, 0, 2), scan(DType.I32, 2, i32));
    }
}
