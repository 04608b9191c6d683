package axc.target.npu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static axc.target.npu.ProgramBuilder.DRAM;
import static axc.target.npu.ProgramBuilder.address;
import static axc.target.npu.SimulatorOpsTest.assertBits;
import static axc.target.npu.SimulatorOpsTest.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attention programs (NPU.md B5, whole programs) on the simulator against {@link NpuAttention#reference}:
 * a run after run of prompts and decoded rows over two layers, each output and finally both KV caches
 * in device DRAM bit for bit. Six query heads over two kv heads: on four engines (two per kv head, the
 * first of each writing its rows), on three (one idle) and on one, which reads and writes both.
 */
class NpuAttentionTest {
    static final int HEADS = 6, KV = 2, D = 16, LAYERS = 2, ENGINES = 4;

    @Test
    void promptsAndDecodedRowsMatchTheMirrorAndFillTheCache() {
        run(ENGINES);
    }

    @Test
    void anIdleEngineAndOneEngineReadingBothKvHeadsGiveTheSameBits() {
        run(3);
        run(1);
    }

    private static void run(int engines) {
        String device = "{\"preset\":\"atom\",\"engines\":" + engines + "}";
        long spm = 4L << 20;
        NpuAttention att = new NpuAttention(HEADS, KV, D, LAYERS, engines, spm);
        assertEquals(NpuAttention.MAX_CAPACITY, att.capacity);
        int qw = HEADS * D, iw = att.inputWidth(), rows = NpuMatmul.CHUNK_ROWS;
        long in = 0, y = in + 4L * rows * iw;
        att.kBase = (y + 4L * rows * qw + 4095) / 4096 * 4096;
        att.vBase = att.kBase + att.cacheBytes();
        short[] cache = new short[(int) (2 * att.cacheBytes() / 2)];
        Random rnd = new Random(23);
        // layer, first position, rows given, row bucket: a 100-row prompt in each layer, then decoded rows,
        // a short prompt continuing layer 0 (the b4 bucket, padded) and a second chunk past 128 keys.
        int[][] runs = {{0, 0, 100, 128}, {1, 0, 128, 128}, {0, 100, 1, 1}, {0, 101, 3, 4}, {1, 128, 128, 128}, {1, 256, 1, 1}, {0, 104, 1, 1}};
        try (Simulator sim = new Simulator(device)) {
            for (int[] run : runs) {
                int layer = run[0], p0 = run[1], given = run[2], bucket = run[3];
                int keys = att.keysFor(p0 + bucket);
                float[] qkv = padded(rnd, given, bucket, iw);
                sim.load(att.emit(bucket, keys, in, y, 0));
                long[] regs = att.registers(layer, p0);
                for (int r = 0; r < 3; r++) sim.setRegister(r, regs[r]);
                sim.write("qkv", 0, floats(qkv));
                RunStats st = sim.run(true);
                float[] want = att.reference(cache, layer, p0, bucket, keys, qkv);
                assertBits(want, floats(sim.read("y", 0, 4 * bucket * qw)), "layer " + layer + " at " + p0 + ", " + bucket + " rows over " + keys + " keys");
                assertTrue(st.dramClassBytes()[2] >= 2L * keys * D * 2, "the cache reads count as KV bytes: " + st.dramClassBytes()[2]);
                for (float f : want) assertTrue(Float.isFinite(f), "finite outputs");
            }
            short[] got = halves(sim.read(null, address(DRAM, 0, att.kBase), (int) (2 * att.cacheBytes())));
            for (int i = 0; i < cache.length; i++) assertEquals(cache[i], got[i], "cache half " + i);
        }
    }

    @Test
    void aDecodedRowAttendsOverEveryEarlierPosition() {
        // Outside the mirror: one row over two cached positions with equal keys averages their values.
        NpuAttention att = new NpuAttention(1, 1, 2, 1, 1, 4L << 20);
        short[] cache = new short[(int) (2 * att.cacheBytes() / 2)];
        att.reference(cache, 0, 0, 1, 64, new float[]{0, 0}, new float[]{1, 1}, new float[]{2, 4});
        float[] y = att.reference(cache, 0, 1, 1, 64, new float[]{1, 1}, new float[]{1, 1}, new float[]{6, 8});
        assertEquals(4f, y[0], 1e-3f);
        assertEquals(6f, y[1], 1e-3f);
    }

    @Test
    void positionsPastTheCacheAndShapesItCannotHoldAreRefused() {
        NpuAttention att = new NpuAttention(HEADS, KV, D, LAYERS, ENGINES, 4L << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> att.keysFor(att.capacity + 1));
        assertTrue(e.getMessage().contains("past the npu KV cache"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NpuAttention(6, 4, D, 1, 1, 4L << 20));
        assertThrows(IllegalArgumentException.class, () -> new NpuAttention(6, 2, 15, 1, 1, 4L << 20));
        // A small scratchpad holds fewer keys: the capacity shrinks with it.
        assertTrue(new NpuAttention(HEADS, KV, 128, 1, 1, 1L << 20).capacity < NpuAttention.MAX_CAPACITY);
    }

    private static float[] padded(Random rnd, int given, int bucket, int width) {
        float[] v = new float[bucket * width];
        for (int i = 0; i < given * width; i++) v[i] = (float) rnd.nextGaussian() * (i % 37 == 0 ? 8 : 1);
        return v;
    }

    private static short[] halves(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        short[] h = new short[b.length / 2];
        for (int i = 0; i < h.length; i++) h[i] = bb.getShort();
        return h;
    }
}
