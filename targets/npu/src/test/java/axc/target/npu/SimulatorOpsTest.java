package axc.target.npu;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static axc.target.npu.ProgramBuilder.SPM;
import static axc.target.npu.ProgramBuilder.address;
import static axc.target.npu.ProgramBuilder.queue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's ops through the JavaCPP binding, bit for bit against {@link NpuSemantics} on random
 * inputs (NPU.md B5, level 1), and its refusals as exceptions the JVM survives.
 */
class SimulatorOpsTest {
    static final String ATOM = "{\"preset\":\"atom\"}";
    static final int VU = queue(0, ProgramBuilder.VU), TU = queue(0, ProgramBuilder.TU);

    static long spm(long off) {
        return address(SPM, 0, off);
    }

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    static float[] floats(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.length / 4];
        for (int i = 0; i < v.length; i++) v[i] = bb.getFloat();
        return v;
    }

    static int[] ints(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int[] v = new int[b.length / 4];
        for (int i = 0; i < v.length; i++) v[i] = bb.getInt();
        return v;
    }

    static void assertBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " [" + i + "]: " + want[i] + " vs " + got[i]);
        }
    }

    static float[] random(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian() * scale * (i % 53 == 0 ? 20 : 1);
        return v;
    }

    @Test
    void vectorOpsMatchTheMirrorBitForBit() {
        Random rnd = new Random(11);
        try (Simulator s = new Simulator(ATOM)) {
            for (int trial = 0; trial < 20; trial++) {
                int n = 8 * (1 + rnd.nextInt(40)), rows = 1 + rnd.nextInt(5);
                float[] x = random(rnd, n * rows, (float) Math.pow(10, rnd.nextInt(5) - 2));
                float[] w = random(rnd, n, 1);
                float[] y = random(rnd, n * rows, 1);
                ProgramBuilder b = new ProgramBuilder();
                long X = spm(0), W = spm(1 << 20), Y = spm(2 << 20), Q = spm(3 << 20), S = spm(3 << 20 | 1 << 19);
                long R = spm(3 << 20 | 3 << 18), SM = spm(1 << 19), SL = spm(3 << 19);
                b.vop(VU, ProgramBuilder.QUANT, X, S, Q, n, rows, 0, 0, 0, 0);
                b.vop(VU, ProgramBuilder.RMSNORM, X, W, R, n, rows, 1e-6f, 0, 0, 0);
                b.vop(VU, ProgramBuilder.SOFTMAX, X, 0, SM, n, rows, 0, 0, trial % 3 == 0 ? 0 : n / 2, 0);
                b.vop(VU, ProgramBuilder.SILU_MUL, X, Y, SL, n, rows, 0, 0, 0, 0);
                s.load(b.bytes());
                s.write(null, X, floats(x));
                s.write(null, W, floats(w));
                s.write(null, Y, floats(y));
                s.run(trial % 2 == 0);
                float[] scales = new float[rows];
                byte[] q = NpuSemantics.quant(x, n, rows, scales);
                assertArrayEquals(q, s.read(null, Q, n * rows), "quant codes");
                assertBits(scales, floats(s.read(null, S, 4 * rows)), "quant scales");
                assertBits(NpuSemantics.rmsnorm(x, n, rows, w, 1e-6f), floats(s.read(null, R, 4 * n * rows)), "rmsnorm");
                assertBits(NpuSemantics.softmax(x, n, rows, trial % 3 == 0 ? 0 : n / 2), floats(s.read(null, SM, 4 * n * rows)), "softmax");
                float[] sl = new float[n * rows];
                for (int i = 0; i < sl.length; i++) sl[i] = NpuSemantics.silu(x[i]) * y[i];
                assertBits(sl, floats(s.read(null, SL, 4 * n * rows)), "silu_mul");
            }
        }
    }

    @Test
    void attentionsSoftmaxAndHalfGemmsMatchTheMirrorBitForBit() {
        // The softmax scaled, its valid count from a register plus an immediate plus the row's index
        // (causal); the f16 GEMMs with B as [K][N] and as [N][K].
        Random rnd = new Random(17);
        try (Simulator s = new Simulator(ATOM)) {
            for (int trial = 0; trial < 20; trial++) {
                int n = 8 * (1 + rnd.nextInt(40)), rows = 1 + rnd.nextInt(6), k = 2 * (1 + rnd.nextInt(40));
                float[] x = random(rnd, n * rows, (float) Math.pow(10, rnd.nextInt(4) - 1));
                float scale = 0.05f + rnd.nextFloat();
                long reg = rnd.nextInt(n + 4) - 2;
                int imm = rnd.nextInt(3);
                short[] a = halves(rnd, rows * k), bk = halves(rnd, k * n);
                long X = spm(0), SM = spm(1 << 19), A = spm(1 << 20), B = spm(3 << 19), C = spm(2 << 20), CT = spm(5 << 19);
                ProgramBuilder b = new ProgramBuilder();
                b.vop(VU, ProgramBuilder.SOFTMAX, X, 0, SM, n, rows, scale, 3, imm,
                        ProgramBuilder.SOFTMAX_SCALED | ProgramBuilder.SOFTMAX_REG_VALID | ProgramBuilder.SOFTMAX_CAUSAL);
                b.gemm(TU, ProgramBuilder.F16F16, A, B, C, rows, n, k, false, false);
                b.gemm(TU, ProgramBuilder.F16F16, A, B, CT, rows, n, k, false, true);
                s.load(b.bytes());
                s.setRegister(3, reg);
                s.write(null, X, floats(x));
                s.write(null, A, halfBytes(a));
                s.write(null, B, halfBytes(bk));
                s.run(trial % 2 == 0);
                assertBits(NpuSemantics.softmaxCausal(x, n, rows, scale, reg + imm), floats(s.read(null, SM, 4 * n * rows)), "causal softmax");
                assertBits(NpuSemantics.gemmF16(a, bk, rows, n, k, false), floats(s.read(null, C, 4 * rows * n)), "f16 GEMM");
                // The same halves of B read as [N][K].
                assertBits(NpuSemantics.gemmF16(a, bk, rows, n, k, true), floats(s.read(null, CT, 4 * rows * n)), "f16 GEMM, B transposed");
            }
        }
    }

    static short[] halves(Random rnd, int n) {
        short[] h = new short[n];
        for (int i = 0; i < n; i++) h[i] = NpuSemantics.f16((float) rnd.nextGaussian() * (i % 29 == 0 ? 50 : 1));
        return h;
    }

    static byte[] halfBytes(short[] h) {
        ByteBuffer b = ByteBuffer.allocate(2 * h.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : h) b.putShort(v);
        return b.array();
    }

    @Test
    void anInt8LinearLayerMatchesTheMirror() {
        // quant → GEMM (i8·i8, transposed B) → dequant with row and column scales and a bias.
        Random rnd = new Random(5);
        int m = 3, k = 96, n = 40;
        float[] x = random(rnd, m * k, 1);
        byte[] wT = new byte[n * k];
        for (int i = 0; i < wT.length; i++) wT[i] = (byte) (rnd.nextInt(255) - 127);
        float[] colScale = random(rnd, n, 0.01f), bias = random(rnd, n, 0.1f);
        float[] cb = new float[2 * n];
        System.arraycopy(colScale, 0, cb, 0, n);
        System.arraycopy(bias, 0, cb, n, n);
        long X = spm(0), Q = spm(4096), S = spm(8192), W = spm(16384), C = spm(32768), CS = spm(49152), Yd = spm(65536);
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.sync(b.vop(VU, ProgramBuilder.QUANT, X, S, Q, k, m, 0, 0, 0, 0), ProgramBuilder.NO_SEM, 0, 0);
        ProgramBuilder.sync(b.gemm(TU, ProgramBuilder.I8I8, Q, W, C, m, n, k, false, true), 0, 1, 1);
        ProgramBuilder.sync(b.vop(VU, ProgramBuilder.DEQUANT, C, S, Yd, n, m, 0, CS, 0, 2), 1, 1, ProgramBuilder.NO_SEM);
        try (Simulator s = new Simulator(ATOM)) {
            s.load(b.bytes());
            s.write(null, X, floats(x));
            s.write(null, W, wT);
            s.write(null, CS, floats(cb));
            RunStats st = s.run(true);
            float[] scales = new float[m];
            byte[] q = NpuSemantics.quant(x, k, m, scales);
            int[] acc = NpuSemantics.gemmI8(q, wT, m, n, k);
            assertArrayEquals(acc, ints(s.read(null, C, 4 * m * n)), "int32 accumulators");
            assertBits(NpuSemantics.dequant(acc, n, m, scales, colScale, bias), floats(s.read(null, Yd, 4 * m * n)), "dequantized output");
            assertEquals((long) m * n * k, st.usefulMacs());
            assertTrue(st.cycles() > 0 && st.busy()[TU] > 0 && st.stall()[VU] > 0, "the VU waited for the GEMM");
        }
    }

    @Test
    void theSameProgramGivesTheSameResultsOnAnotherDeviceAndOtherTimes() {
        Random rnd = new Random(3);
        int n = 256, rows = 4;
        float[] x = random(rnd, n * rows, 3);
        ProgramBuilder b = new ProgramBuilder();
        long X = spm(0), D = address(ProgramBuilder.DRAM, 0, 1 << 20), Y = spm(1 << 16), Z = spm(1 << 17);
        ProgramBuilder.sync(b.dma(queue(0, ProgramBuilder.NDMA_IN), D, X, 4 * n * rows, 1, 0, 0, 3), ProgramBuilder.NO_SEM, 0, 0);
        ProgramBuilder.sync(b.vop(VU, ProgramBuilder.SOFTMAX, X, 0, Y, n, rows, 0, 0, 0, 0), 0, 1, ProgramBuilder.NO_SEM);
        b.vop(VU, ProgramBuilder.SILU_MUL, Y, X, Z, n, rows, 0, 0, 0, 0);
        byte[] program = b.bytes();
        byte[] first = null;
        double[] cycles = new double[2];
        String[] devices = {ATOM, "{\"preset\":\"rebel-chiplet\",\"dram\":{\"latency_ns\":100}}"};
        for (int d = 0; d < 2; d++) {
            try (Simulator s = new Simulator(devices[d])) {
                s.load(program);
                s.write(null, D, floats(x));
                cycles[d] = s.run(true).cycles();
                byte[] out = s.read(null, Z, 4 * n * rows);
                if (first == null) first = out;
                else assertArrayEquals(first, out, "outputs do not depend on the device");
                assertTrue(s.traceJson().contains("\"NE0 VU\""), "trace tracks");
            }
        }
        assertNotEquals(cycles[0], cycles[1], "timing does");
    }

    @Test
    void badInputIsAnExceptionNotACrash() {
        NpuException e = assertThrows(NpuException.class, () -> new Simulator("{\"preset\":\"atom\",\"tu\":{\"rowz\":1}}"));
        assertEquals(NpuSim.EDEVICE, e.code());
        assertTrue(e.getMessage().contains("tu.rowz"), e.getMessage());
        try (Simulator s = new Simulator(ATOM)) {
            NpuException p = assertThrows(NpuException.class, () -> s.load(new byte[]{'R', 'N', 'P', 'U', 1, 0, 0}));
            assertEquals(NpuSim.EPROGRAM, p.code());
            ProgramBuilder race = new ProgramBuilder();
            race.dma(queue(0, ProgramBuilder.NDMA_IN), address(ProgramBuilder.DRAM, 0, 0), spm(0), 256, 1, 0, 0, 0);
            race.vop(VU, ProgramBuilder.COPY, spm(128), 0, spm(4096), 16, 1, 0, 0, 0, 0);
            s.load(race.bytes());
            NpuException r = assertThrows(NpuException.class, () -> s.run(false));
            assertEquals(NpuSim.ERACE, r.code(), r.getMessage());
            assertThrows(NpuException.class, () -> s.read("nope", 0, 4));
        }
    }
}
