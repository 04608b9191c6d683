package axc.formats.tensor;

import axc.formats.dtype.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    /**
     * A store's float tensors are scanned in pieces of 4 MB: values at the edges of pieces, in a tail
     * shorter than a word and in the middle are each counted once, in the tensor they belong to.
     */
    @Test
    void piecesOfALargeTensorAddUpToItsCounts() {
        int n16 = (1 << 21) * 2 + 3; // two whole pieces of F16 and a three-value tail
        ByteBuffer f16 = buffer(2 * n16);
        long[] want16 = new long[2];
        Random r = new Random(7);
        int[] at16 = {0, (1 << 21) - 1, 1 << 21, (1 << 21) + 1, 2 * (1 << 21) - 1, 2 * (1 << 21), n16 - 1, r.nextInt(n16), r.nextInt(n16)};
        for (int i = 0; i < n16; i++) f16.putShort(2 * i, (short) 0x3C00);
        for (int k = 0; k < at16.length; k++) {
            boolean nan = k % 2 == 0;
            if ((f16.getShort(2 * at16[k]) & 0x7C00) != 0x7C00) want16[nan ? 0 : 1]++;
            f16.putShort(2 * at16[k], (short) (nan ? 0x7E00 : 0xFC00));
        }
        int n32 = (1 << 20) + 1; // one whole piece of F32 and a one-value tail
        ByteBuffer f32 = buffer(4 * n32);
        for (int i = 0; i < n32; i++) f32.putFloat(4 * i, i * 1e-3f);
        f32.putFloat(4 * ((1 << 20) - 1), Float.POSITIVE_INFINITY);
        f32.putFloat(4 * (1 << 20), Float.NaN);
        ByteBuffer clean = buffer(4 * 1000);

        Map<String, ByteBuffer> data = Map.of("a", f16, "b", clean, "c", f32);
        List<TensorInfo> infos = List.of(new TensorInfo("a", DType.F16, new long[]{n16}, 0, 2L * n16),
                new TensorInfo("b", DType.F32, new long[]{1000}, 0, 4000), new TensorInfo("c", DType.F32, new long[]{n32}, 0, 4L * n32));
        TensorStore store = new TensorStore() {
            public List<TensorInfo> tensors() {
                return infos;
            }

            public Optional<TensorInfo> find(String name) {
                return infos.stream().filter(t -> t.name().equals(name)).findFirst();
            }

            public MemorySegment data(String name) {
                return MemorySegment.ofArray(data.get(name).array());
            }

            public List<java.nio.file.Path> files() {
                return List.of();
            }

            public void close() {
            }
        };
        assertEquals(List.of(new NonFiniteScan.Finding("a", want16[0], want16[1], n16), new NonFiniteScan.Finding("c", 1, 1, n32)),
                NonFiniteScan.scan(store));
    }

    /** Any range of float storage, aligned to a word or not, counts what a value-by-value loop counts. */
    @Test
    void aRangeCountsItsOwnValues() {
        Random r = new Random(11);
        for (int round = 0; round < 300; round++) {
            DType t = new DType[]{DType.F32, DType.F16, DType.BF16}[round % 3];
            int bytes = t == DType.F32 ? 4 : 2, n = 1 + r.nextInt(200);
            ByteBuffer b = buffer(bytes * n);
            int exp = t == DType.F32 ? 0x7F800000 : t == DType.F16 ? 0x7C00 : 0x7F80;
            for (int i = 0; i < n; i++) {
                // One value in five has all exponent bits set: NaN or infinite, by its random mantissa.
                int v = r.nextInt() & (bytes == 4 ? 0x7FFFFFFF : 0x7FFF);
                if (r.nextInt(5) == 0) v |= exp;
                else v &= ~(exp & (exp >>> 1)); // clear the exponent's top bit: finite
                if (bytes == 4) b.putInt(4 * i, v);
                else b.putShort(2 * i, (short) v);
            }
            int from = r.nextInt(n + 1), to = from + r.nextInt(n - from + 1);
            long[] want = new long[2];
            for (int i = from; i < to; i++) {
                int v = bytes == 4 ? b.getInt(4 * i) : b.getShort(2 * i) & 0xFFFF;
                if ((v & exp) == exp) want[(v & ~exp & (bytes == 4 ? 0x7FFFFFFF : 0x7FFF)) != 0 ? 0 : 1]++;
            }
            assertArrayEquals(want, NonFiniteScan.count(t, MemorySegment.ofArray(b.array()), from, to), t + " [" + from + ", " + to + ") of " + n);
        }
    }

    @Test
    void integersAreNeverNonFinite() {
        ByteBuffer i32 = buffer(8).putInt(0x7FC00000).putInt(0x7F800000);
        assertEquals(new NonFiniteScan.Finding("w", 0, 0, 2), scan(DType.I32, 2, i32));
    }
}
