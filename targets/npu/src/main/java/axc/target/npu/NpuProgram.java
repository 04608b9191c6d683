package axc.target.npu;

import java.nio.ByteBuffer;

import static axc.target.npu.ProgramBuilder.DRAM;
import static axc.target.npu.ProgramBuilder.NO_SEM;
import static axc.target.npu.ProgramBuilder.SHM;
import static axc.target.npu.ProgramBuilder.SPM;
import static axc.target.npu.ProgramBuilder.address;
import static axc.target.npu.ProgramBuilder.queue;

/**
 * The program of one {@link NpuMatmul} for a bucket of rows: symbols {@code x} (rows × K float32 in),
 * {@code r} (the residual, rows × N) and {@code y} (rows × N out) in DRAM; the weights at the node's
 * fixed DRAM addresses. Per engine, six semaphores order its four queues (see {@link NpuMatmul}); a
 * prefill that gathers its codes ({@link NpuMatmul#gathers}) passes them through shared memory from
 * offset 0 ({@link NpuMatmul#gatherBytes}), behind one more semaphore that every engine signals. A node
 * handed its input by the node before it reads it from shared memory ({@link NpuMatmul#xShm}), and one
 * that hands its output on writes it there ({@link NpuMatmul#yShm}).
 */
final class NpuProgram {
    /** Semaphores per engine: input loaded, input quantized, chunk loaded, GEMM done, dequantized, written. */
    private static final int SEMS = 6, X = 0, Q = 1, W = 2, G = 3, V = 4, O = 5;

    private NpuProgram() {
    }

    static byte[] emit(NpuMatmul m, int rows, long xAt, long rAt, long yAt, long ropeAt, long deviceHash) {
        return emit(m, rows, xAt, rAt, yAt, ropeAt, deviceHash, null);
    }

    /** With {@code chain} (decode programs only), the program's part in the {@link DecodeChain}. */
    static byte[] emit(NpuMatmul m, int rows, long xAt, long rAt, long yAt, long ropeAt, long deviceHash, DecodeChain chain) {
        if (chain != null && rows != 1) throw new IllegalArgumentException("only decode programs chain");
        ProgramBuilder b = new ProgramBuilder().deviceHash(deviceHash);
        b.symbol("x", address(DRAM, 0, xAt), 4L * rows * m.k);
        if (m.residual) b.symbol("r", address(DRAM, 0, rAt), 4L * rows * m.n);
        // cos then sin of each row's angles, rows × headDim/2 each (the host computes them from the positions).
        if (m.rope != null) b.symbol("rope", address(DRAM, 0, ropeAt), 4L * rows * m.rope.headDim());
        b.symbol("y", address(DRAM, 0, yAt), 4L * rows * m.n);
        NpuMatmul.Spm spm = m.spmLayout(rows, chain == null);
        long even = chain == null ? spm.w0() : chain.even();
        long blobAt = m.dramBase;
        long normAt = m.dramBase + m.imageBytes();
        int parts = m.swiglu ? 2 : 1;
        for (int e = 0; e < m.engines; e++) {
            if (m.features(e) == 0) {
                if (chain != null) prefetchNext(b, chain, e);
                continue;
            }
            int sem = e * SEMS;
            int in = queue(e, ProgramBuilder.NDMA_IN), out = queue(e, ProgramBuilder.NDMA_OUT), tu = queue(e, ProgramBuilder.TU), vu = queue(e, ProgramBuilder.VU);
            final int eng = e;
            java.util.function.LongUnaryOperator s = off -> address(SPM, eng, off);

            // NDMA_OUT, idle until the first output: the norm weight, the RoPE table and the engine's
            // rows of the input, a slice at a time into one staging buffer (each slice once the last was
            // quantized), so that NDMA_IN starts streaming weights at cycle 0.
            boolean gather = m.gathers(rows);
            int share = m.share(rows), slice = m.slice(rows);
            int r0 = gather ? Math.min(rows, e * share) : 0, r1 = Math.min(rows, r0 + share);
            int slices = (r1 - r0 + slice - 1) / slice;
            if (m.norm) copy(b, out, address(DRAM, 0, normAt), s.applyAsLong(spm.g()), 4L * m.k, 1);
            if (m.rope != null) copy(b, out, address(DRAM, 0, ropeAt), s.applyAsLong(spm.rope()), 4L * rows * m.rope.headDim(), 0);
            for (int i = 0; i < slices; i++) {
                int a = r0 + i * slice, n = Math.min(slice, r1 - a);
                long xFrom = m.xShm >= 0 ? address(SHM, 0, m.xShm + 4L * a * m.k) : address(DRAM, 0, xAt + 4L * a * m.k);
                ByteBuffer x = copy(b, out, xFrom, s.applyAsLong(spm.x()), 4L * n * m.k, 3);
                ProgramBuilder.sync(x, i > 0 ? sem + Q : NO_SEM, i, sem + X);
            }
            if (gather) {
                // Each engine's codes and row scales to shared memory; once every engine's are there, the
                // others' rows back into this engine's codes (the row scales whole).
                int all = m.engines * SEMS;
                long qShm = address(SHM, 0, 0), sShm = address(SHM, 0, (long) rows * m.k);
                ByteBuffer w;
                if (r1 > r0) {
                    w = copy(b, out, s.applyAsLong(spm.q() + (long) r0 * m.k), qShm + (long) r0 * m.k, (long) (r1 - r0) * m.k, 3);
                    ProgramBuilder.sync(w, sem + Q, slices, NO_SEM);
                    w = copy(b, out, s.applyAsLong(spm.s() + 4L * r0), sShm + 4L * r0, 4L * (r1 - r0), 3);
                } else {
                    w = b.record(out, ProgramBuilder.SYNC, 0, 0, NO_SEM, 0, NO_SEM, 0);
                }
                ProgramBuilder.sync(w, readWait(w), readWaitValue(w), all);
                ByteBuffer rs = copy(b, out, sShm, s.applyAsLong(spm.s()), 4L * rows, 3);
                ProgramBuilder.sync(rs, all, m.activeEngines(), NO_SEM);
                if (r0 > 0) copy(b, out, qShm, s.applyAsLong(spm.q()), (long) r0 * m.k, 3);
                ByteBuffer g = r1 < rows ? copy(b, out, qShm + (long) r1 * m.k, s.applyAsLong(spm.q() + (long) r1 * m.k), (long) (rows - r1) * m.k, 3)
                        : b.record(out, ProgramBuilder.SYNC, 0, 0, NO_SEM, 0, NO_SEM, 0);
                ProgramBuilder.sync(g, NO_SEM, 0, sem + Q);
            }
            ByteBuffer last;
            // NDMA_IN: every chunk's blob (and residual), up to two ahead; a warm chained program finds
            // its first blob in place. loaded[c]: the count of W signals chunk c's GEMM waits for.
            int[] loaded = new int[m.chunks(e)];
            int signals = 0;
            for (int c = 0; c < m.chunks(e); c++) {
                int cf = m.chunkFeatures(e, c), f0 = m.chunkStart(e, c);
                long w = c % 2 == 0 ? even : spm.w1();
                last = null;
                if (!(chain != null && chain.warm() && c == 0)) {
                    ByteBuffer blob = copy(b, in, address(DRAM, 0, blobAt), s.applyAsLong(w), m.blobBytes(cf), 1);
                    // The buffer is free once the vector unit dequantized the chunk two back (which read its scales).
                    if (c >= 2) ProgramBuilder.sync(blob, sem + V, c - 1, NO_SEM);
                    last = blob;
                }
                blobAt += m.blobBytes(cf);
                if (m.residual) {
                    long r = c % 2 == 0 ? spm.r0() : spm.r1();
                    last = b.dma(in, address(DRAM, 0, rAt + 4L * f0), s.applyAsLong(r), 4 * cf, rows, 4 * m.n, 4 * cf, 0);
                    if (c >= 2) ProgramBuilder.sync(last, sem + V, c - 1, NO_SEM);
                }
                if (last != null) {
                    ProgramBuilder.sync(last, readWait(last), readWaitValue(last), sem + W);
                    signals++;
                }
                loaded[c] = signals;
            }
            if (chain != null) prefetchNext(b, chain, e);

            // VU: normalize and quantize the engine's rows per token, a slice at a time, in place in the
            // codes and row scales of every row; then dequantize (and add, and gate) each chunk.
            long xq = m.norm ? spm.xn() : spm.x();
            for (int i = 0; i < slices; i++) {
                int a = r0 + i * slice, n = Math.min(slice, r1 - a);
                long q = spm.q() + (long) a * m.k, rs = spm.s() + 4L * a;
                if (m.norm) {
                    ByteBuffer nv = b.vop(vu, ProgramBuilder.RMSNORM, s.applyAsLong(spm.x()), s.applyAsLong(spm.g()), s.applyAsLong(spm.xn()), m.k, n,
                            (float) m.node.attrs().getDouble("eps"), 0, 0, 0);
                    ProgramBuilder.sync(nv, sem + X, i + 1, NO_SEM);
                    ProgramBuilder.sync(b.vop(vu, ProgramBuilder.QUANT, s.applyAsLong(xq), s.applyAsLong(rs), s.applyAsLong(q), m.k, n, 0, 0, 0, 0),
                            NO_SEM, 0, sem + Q);
                } else {
                    ProgramBuilder.sync(b.vop(vu, ProgramBuilder.QUANT, s.applyAsLong(xq), s.applyAsLong(rs), s.applyAsLong(q), m.k, n, 0, 0, 0, 0),
                            sem + X, i + 1, sem + Q);
                }
            }
            int quantized = slices + (gather ? 1 : 0);
            for (int c = 0; c < m.chunks(e); c++) {
                int cf = m.chunkFeatures(e, c);
                long w = c % 2 == 0 ? even : spm.w1(), acc = c % 2 == 0 ? spm.acc0() : spm.acc1(), y = c % 2 == 0 ? spm.y0() : spm.y1();
                // The output buffer is free once NDMA_OUT wrote the chunk two back.
                if (c >= 2) b.record(vu, ProgramBuilder.SYNC, 0, 0, sem + O, c - 1, NO_SEM, 0);
                long scales = w + (long) parts * cf * m.codeBytes;
                ByteBuffer v = b.vop(vu, ProgramBuilder.DEQUANT, s.applyAsLong(acc), s.applyAsLong(spm.s()), s.applyAsLong(y), cf, rows, 0,
                        s.applyAsLong(scales), 0, m.bias ? 2 : 0);
                ProgramBuilder.sync(v, sem + G, c + 1, NO_SEM);
                if (m.swiglu) {
                    long up = y + 4L * rows * cf;
                    b.vop(vu, ProgramBuilder.DEQUANT, s.applyAsLong(acc + 4L * rows * cf), s.applyAsLong(spm.s()), s.applyAsLong(up), cf, rows, 0,
                            s.applyAsLong(scales + 4L * cf), 0, 0);
                    v = b.vop(vu, ProgramBuilder.SILU_MUL, s.applyAsLong(y), s.applyAsLong(up), s.applyAsLong(y), cf, rows, 0, 0, 0, 0);
                }
                if (m.rotated(e, c)) {
                    // Whole heads: the chunk's features are heads of the rotated range, rows at the table's positions.
                    v = b.vop(vu, ProgramBuilder.ROPE, s.applyAsLong(y), 0, s.applyAsLong(y), cf, rows, 0, s.applyAsLong(spm.rope()), m.rope.headDim(), 0);
                }
                if (m.residual) {
                    long r = c % 2 == 0 ? spm.r0() : spm.r1();
                    v = b.vop(vu, ProgramBuilder.ADD, s.applyAsLong(y), s.applyAsLong(r), s.applyAsLong(y), cf, rows, 0, 0, 0, 0);
                }
                ProgramBuilder.sync(v, readWait(v), readWaitValue(v), sem + V);
            }

            // TU: one GEMM per chunk (two for gate and up), int8 · int8 -> int32, weights as [features][K].
            for (int c = 0; c < m.chunks(e); c++) {
                int cf = m.chunkFeatures(e, c);
                long w = c % 2 == 0 ? even : spm.w1(), acc = c % 2 == 0 ? spm.acc0() : spm.acc1();
                if (c == 0) b.record(tu, ProgramBuilder.SYNC, 0, 0, sem + Q, quantized, NO_SEM, 0);
                // The accumulators are free once the vector unit dequantized the chunk two back.
                if (c >= 2) b.record(tu, ProgramBuilder.SYNC, 0, 0, sem + V, c - 1, NO_SEM, 0);
                int mode = m.int4 ? ProgramBuilder.I8I4 : ProgramBuilder.I8I8;
                ByteBuffer g = b.gemm(tu, mode, s.applyAsLong(spm.q()), s.applyAsLong(w), s.applyAsLong(acc), rows, cf, m.k, false, true);
                if (loaded[c] > 0) ProgramBuilder.sync(g, sem + W, loaded[c], NO_SEM);
                if (m.swiglu) {
                    g = b.gemm(tu, mode, s.applyAsLong(spm.q()), s.applyAsLong(w + (long) cf * m.codeBytes), s.applyAsLong(acc + 4L * rows * cf),
                            rows, cf, m.k, false, true);
                }
                ProgramBuilder.sync(g, readWait(g), readWaitValue(g), sem + G);
            }

            // NDMA_OUT: each chunk's rows into its columns of y.
            for (int c = 0; c < m.chunks(e); c++) {
                int cf = m.chunkFeatures(e, c), f0 = m.chunkStart(e, c);
                long y = c % 2 == 0 ? spm.y0() : spm.y1();
                long yTo = m.yShm >= 0 ? address(SHM, 0, m.yShm + 4L * f0) : address(DRAM, 0, yAt + 4L * f0);
                ByteBuffer o = b.dma(out, s.applyAsLong(y), yTo, 4 * cf, rows, 4 * cf, 4 * m.n, 0);
                ProgramBuilder.sync(o, sem + V, c + 1, sem + O);
            }
        }
        return b.bytes();
    }

    /**
     * On engine {@code e}'s NDMA_IN, after its own loads: the next chained program's first chunk of that
     * engine into the region the next program streams its even chunks through. Nothing in this program
     * touches that region, so the load waits for nothing here.
     */
    private static void prefetchNext(ProgramBuilder b, DecodeChain chain, int e) {
        NpuMatmul next = chain.next();
        if (next == null || next.features(e) == 0) return;
        copy(b, queue(e, ProgramBuilder.NDMA_IN), address(DRAM, 0, next.dramBase + next.chunkOffset(e, 0)), address(SPM, e, chain.nextRegion()),
                next.blobBytes(next.chunkFeatures(e, 0)), 1);
    }

    private static int readWait(ByteBuffer r) {
        return Short.toUnsignedInt(r.getShort(8));
    }

    private static long readWaitValue(ByteBuffer r) {
        return Integer.toUnsignedLong(r.getInt(12));
    }

    /**
     * A flat copy of {@code bytes} as one DMA whose runs fit the record's 16-bit run length: the largest
     * run of at most 65532 bytes (a multiple of 4) that divides the size. Returns the record.
     */
    static ByteBuffer copy(ProgramBuilder b, int queue, long src, long dst, long bytes, int byteClass) {
        int run = (int) Math.min(bytes, 65532);
        while (run > 4 && bytes % run != 0) run -= 4;
        if (bytes % run != 0) throw new IllegalArgumentException("copy of " + bytes + " bytes");
        long runs = bytes / run;
        if (runs > 65535) throw new IllegalArgumentException("copy of " + bytes + " bytes needs more than 65535 runs");
        return b.dma(queue, src, dst, run, (int) runs, run, run, byteClass);
    }
}
