package axc.target.npu;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.target.Support;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static axc.target.npu.ProgramBuilder.DRAM;
import static axc.target.npu.ProgramBuilder.NO_SEM;
import static axc.target.npu.ProgramBuilder.SPM;
import static axc.target.npu.ProgramBuilder.address;
import static axc.target.npu.ProgramBuilder.queue;

/**
 * The attention nodes of a model on the NPU (NPU.md B3), one set of programs that every layer runs.
 *
 * <p>The KV cache lives in device DRAM at static addresses: FP16, keys then values, each laid out
 * {@code [layer][kv_head][capacity][head_dim]}. A run writes its rows' keys and values at the positions
 * {@code p0 .. p0+rows-1} and attends over the first {@code keys} positions of the cache, masked
 * causally: row {@code r} sees positions up to {@code p0 + r}. The host sets three registers before a
 * run: {@link #REG_WRITE} (the first written row of the cache, counted in head_dim rows from the
 * layer's start), {@link #REG_LAYER} (the layer's first row) and {@link #REG_POS} ({@code p0}); the
 * DMAs offset their cache addresses by them and the softmax takes its valid count from the last, so
 * one program serves every layer and position. Programs come per row bucket (1, 4, 128) and per key
 * bucket ({@link #keyBuckets}: 64 doubling up to the capacity), the host picking the smallest that
 * covers {@code p0 + rows}.
 *
 * <p>Per engine, a contiguous range of query heads ({@link #range}). Each engine loads the cached keys
 * and values of the kv heads its query heads read, with this run's new rows of them, casts the new rows
 * to FP16 and patches them into its loaded blocks at their positions; then per query head and block of
 * up to {@link #ROW_BLOCK} rows: q to FP16, scores = q·Kᵀ (an f16 GEMM into float32), a scaled causal
 * softmax, the probabilities to FP16, out = P·V, written to its columns of {@code y}. A decoded row
 * takes the engine's heads of one kv head as the rows of one GEMM and one softmax. The engine that
 * holds a kv head's first query head ({@link #owner}) writes that head's new rows into the cache, last
 * on its DMA queues, once every engine has signalled the barrier (semaphore {@code engines}) that its
 * loads from the cache are done. Each engine's steps run in order on its semaphore ({@code e}), keys
 * and values side by side on its two DMA queues.
 */
final class NpuAttention {
    /** Positions of one sequence the cache holds at most (less where the scratchpad cannot hold its keys). */
    static final int MAX_CAPACITY = 4096;
    static final int MIN_KEYS = 64;
    /** Query rows per GEMM and softmax. */
    static final int ROW_BLOCK = 32;
    static final int REG_WRITE = 0, REG_LAYER = 1, REG_POS = 2;

    final int heads, kvHeads, headDim, layers, engines, capacity;
    final float scale;
    /** DRAM addresses of the key and value caches ({@link NpuTarget.Layout}). */
    long kBase, vBase;

    NpuAttention(int heads, int kvHeads, int headDim, int layers, int engines, long spmBytes) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) throw new IllegalArgumentException(heads + " query heads over " + kvHeads + " kv heads");
        if (headDim <= 0 || headDim % 2 != 0 || headDim > 512) throw new IllegalArgumentException("head_dim " + headDim + " (even, at most 512)");
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.layers = layers;
        this.engines = engines;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        int cap = MAX_CAPACITY;
        while (cap >= MIN_KEYS && Math.max(spm(NpuMatmul.CHUNK_ROWS, cap).end, spm(1, cap).end) > spmBytes) cap /= 2;
        if (cap < MIN_KEYS) throw new IllegalArgumentException("the scratchpad (" + spmBytes + " bytes) cannot hold " + MIN_KEYS + " keys of head_dim " + headDim);
        this.capacity = cap;
    }

    /** The one shape every attention node of {@code g} shares (the programs serve all layers), or why not. */
    static NpuAttention of(Graph g, int engines, long spmBytes) {
        NpuAttention a = null;
        int layers = 0;
        for (Node n : g.nodes()) {
            if (n.op() != Op.ATTENTION) continue;
            var at = n.attrs();
            layers = Math.max(layers, at.getInt("layer") + 1);
            if (a == null) {
                a = new NpuAttention(at.getInt("heads"), at.getInt("kv_heads"), at.getInt("head_dim"), 1, engines, spmBytes);
            } else if (a.heads != at.getInt("heads") || a.kvHeads != at.getInt("kv_heads") || a.headDim != at.getInt("head_dim")) {
                throw new IllegalArgumentException("attention nodes of different shapes");
            }
        }
        return a == null ? null : new NpuAttention(a.heads, a.kvHeads, a.headDim, layers, engines, spmBytes);
    }

    static Support support(Node n, int engines, long spmBytes) {
        var at = n.attrs();
        try {
            new NpuAttention(at.getInt("heads"), at.getInt("kv_heads"), at.getInt("head_dim"), 1, engines, spmBytes);
            return Support.yes();
        } catch (IllegalArgumentException e) {
            return Support.no("attention: " + e.getMessage());
        }
    }

    /** Bytes of one of the two caches. */
    long cacheBytes() {
        return 2L * layers * kvHeads * capacity * headDim;
    }

    /** The key buckets programs are emitted for. */
    List<Integer> keyBuckets() {
        List<Integer> b = new ArrayList<>();
        for (int k = MIN_KEYS; k <= capacity; k *= 2) b.add(k);
        return b;
    }

    /** The smallest key bucket covering {@code needed} positions. */
    int keysFor(int needed) {
        for (int k : keyBuckets()) if (k >= needed) return k;
        throw new IllegalArgumentException("position " + (needed - 1) + " is past the npu KV cache's " + capacity + " positions");
    }

    /**
     * Engine {@code e}'s query heads {@code [from, to)}. With at least as many engines as kv heads, each
     * kv head's group of query heads is split over its own engines, so an engine reads one kv head and
     * none waits on a second; with fewer, the heads are cut evenly, several kv heads an engine.
     */
    int[] range(int e) {
        int g = heads / kvHeads;
        if (engines >= kvHeads) {
            int per = engines / kvHeads, kv = e / per, i = e % per, share = (g + per - 1) / per;
            if (kv >= kvHeads) return new int[]{heads, heads};
            int from = Math.min(kv * g + g, kv * g + i * share);
            return new int[]{from, Math.min(kv * g + g, from + share)};
        }
        int share = (heads + engines - 1) / engines, from = Math.min(heads, e * share);
        return new int[]{from, Math.min(heads, from + share)};
    }

    int headsPerEngine() {
        int most = 0;
        for (int e = 0; e < engines; e++) most = Math.max(most, range(e)[1] - range(e)[0]);
        return most;
    }

    /** The scratchpad of one engine for {@code rows} query rows over {@code keys} keys (64-byte aligned regions). */
    record Spm(long slots, long slotBytes, long k, long v, long q32, long q16, long s32, long p16, long o32, long end) {
        /** A kv head's new rows in slot {@code i}: keys then values in float32 (as loaded), then both in FP16. */
        long new32(int i) {
            return slots + i * slotBytes;
        }

        long new16(int i, int rows, int headDim) {
            return new32(i) + 8L * rows * headDim;
        }
    }

    /** Query rows of one GEMM: a block of a chunk's rows, or a decoded row's heads of one kv head. */
    int rowBlock(int rows) {
        return rows == 1 ? headsPerEngine() : Math.min(rows, ROW_BLOCK);
    }

    /** Kv heads one engine's query heads read, at most. */
    int slots() {
        return Math.min(kvHeads, (headsPerEngine() + heads / kvHeads - 2) / (heads / kvHeads) + 1);
    }

    Spm spm(int rows, int keys) {
        int rb = rowBlock(rows);
        long slot = (12L * rows * headDim + 63) & ~63L;
        long[] sizes = {slot * slots(), 2L * keys * headDim, 2L * keys * headDim, 4L * rb * headDim, 2L * rb * headDim, 4L * rb * keys, 2L * rb * keys, 4L * rb * headDim};
        long[] at = new long[sizes.length + 1];
        for (int i = 0; i < sizes.length; i++) at[i + 1] = at[i] + ((sizes[i] + 63) & ~63L);
        return new Spm(at[0], slot, at[1], at[2], at[3], at[4], at[5], at[6], at[7], at[8]);
    }

    /** The engine whose query heads include kv head {@code h}'s first: it writes that head's new rows. */
    int owner(int h) {
        int first = h * (heads / kvHeads);
        for (int e = 0; e < engines; e++) if (range(e)[0] <= first && first < range(e)[1]) return e;
        throw new IllegalStateException("no engine holds head " + first);
    }

    /** Engines with query heads, each signalling the barrier once its loads from the cache are done. */
    int readers() {
        int n = 0;
        for (int e = 0; e < engines; e++) if (range(e)[1] > range(e)[0]) n++;
        return n;
    }

    /** Floats of one input row: q, then k, then v, as a fused QKV projection writes them. */
    int inputWidth() {
        return (heads + 2 * kvHeads) * headDim;
    }

    /**
     * The program for {@code rows} query rows (a bucket: 1, 4 or 128) over {@code keys} cached positions:
     * its input {@code qkv} (rows × {@link #inputWidth}, float32; a fused QKV projection's output, which
     * may still be where that program wrote it) and its output {@code y} (rows × heads·D) at those DRAM
     * addresses.
     */
    byte[] emit(int rows, int keys, long inAt, long yAt, long deviceHash) {
        if (rows > 0xFFFF || keys > capacity) throw new IllegalArgumentException(rows + " rows over " + keys + " keys");
        ProgramBuilder b = new ProgramBuilder().deviceHash(deviceHash);
        int d = headDim, qw = heads * d, kw = kvHeads * d, iw = inputWidth();
        long qAt = inAt, kAt = inAt + 4L * qw, vAt = kAt + 4L * kw;
        b.symbol("qkv", address(DRAM, 0, inAt), 4L * rows * iw);
        b.symbol("y", address(DRAM, 0, yAt), 4L * rows * qw);
        Spm spm = spm(rows, keys);
        int barrier = engines, rb = Math.min(rows, ROW_BLOCK), g = heads / kvHeads;
        int readers = readers();
        for (int e = 0; e < engines; e++) {
            final int eng = e;
            java.util.function.LongUnaryOperator s = off -> address(SPM, eng, off);
            int in = queue(e, ProgramBuilder.NDMA_IN), out = queue(e, ProgramBuilder.NDMA_OUT), tu = queue(e, ProgramBuilder.TU), vu = queue(e, ProgramBuilder.VU);
            int h0 = range(e)[0], h1 = range(e)[1];
            if (h0 == h1) continue;
            Seq seq = new Seq(e);
            int kv0 = h0 / g, lastKv = (h1 - 1) / g;
            // Per kv head read, in its slot: the step after which its new rows are in FP16 (the owner's write waits for it).
            int[] castDone = new int[lastKv - kv0 + 1];
            for (int hq = h0; hq < h1; ) {
                int kv = hq / g, slot = kv - kv0;
                // A decoded row takes the engine's query heads of one kv head together: one row each in
                // one GEMM and one softmax (rows are independent, so the bits are the per-head ones).
                int span = rows == 1 ? Math.min(h1, (kv + 1) * g) - hq : 1;
                boolean queriesLoaded = false;
                if (hq == h0 || hq % g == 0) {
                    // The kv head's cached keys (NDMA_IN) and values (NDMA_OUT); this run's rows of both in one
                    // DMA (keys then values) beside the keys, and the first queries beside the values.
                    long new32 = spm.new32(slot), new16 = spm.new16(slot, rows, d);
                    ByteBuffer kBlock = ProgramBuilder.register(NpuProgram.copy(b, in, address(DRAM, 0, kBase + 2L * kv * capacity * d), s.applyAsLong(spm.k()), 2L * keys * d, 2),
                            REG_LAYER, 2 * d, false);
                    ByteBuffer fresh = ProgramBuilder.outer(b.dma(in, address(DRAM, 0, kAt + 4L * kv * d), s.applyAsLong(new32), 4 * d, rows, 4 * iw, 4 * d, 3),
                            2, (int) (vAt - kAt), 4 * rows * d);
                    ByteBuffer vBlock = ProgramBuilder.register(NpuProgram.copy(b, out, address(DRAM, 0, vBase + 2L * kv * capacity * d), s.applyAsLong(spm.v()), 2L * keys * d, 2),
                            REG_LAYER, 2 * d, false);
                    ByteBuffer queries = b.dma(out, address(DRAM, 0, qAt + 4L * hq * d), s.applyAsLong(spm.q32()), 4 * d * span, Math.min(rb, rows), 4 * iw, 4 * d * span, 3);
                    seq.together(kBlock, fresh, vBlock, queries);
                    queriesLoaded = true;
                    // This engine's last loads from the cache are done: the owners may write into it.
                    if (kv == lastKv) b.record(in, ProgramBuilder.SYNC, 0, 0, e, seq.done(), barrier, 0);
                    seq.next(b.vop(vu, ProgramBuilder.CAST, s.applyAsLong(new32), 0, s.applyAsLong(new16), d, 2 * rows, 0, 0, 0, 1));
                    castDone[slot] = seq.done();
                    // This run's rows into the loaded blocks at their positions (the cache there is not written yet).
                    ByteBuffer pk = ProgramBuilder.register(b.dma(in, s.applyAsLong(new16), s.applyAsLong(spm.k()), 2 * d, rows, 2 * d, 2 * d, 2), REG_POS, 2 * d, true);
                    ByteBuffer pv = ProgramBuilder.register(b.dma(out, s.applyAsLong(new16 + 2L * rows * d), s.applyAsLong(spm.v()), 2 * d, rows, 2 * d, 2 * d, 2),
                            REG_POS, 2 * d, true);
                    seq.together(pk, pv);
                }
                for (int b0 = 0; b0 < rows; b0 += rb) {
                    int nb = Math.min(rb, rows - b0), m = span * nb;
                    long col = 4L * ((long) b0 * qw + (long) hq * d), inCol = 4L * ((long) b0 * iw + (long) hq * d);
                    int causal = rows == 1 ? 0 : ProgramBuilder.SOFTMAX_CAUSAL;
                    if (!(b0 == 0 && queriesLoaded)) seq.next(b.dma(out, address(DRAM, 0, qAt + inCol), s.applyAsLong(spm.q32()), 4 * d * span, nb, 4 * iw, 4 * d * span, 3));
                    seq.next(b.vop(vu, ProgramBuilder.CAST, s.applyAsLong(spm.q32()), 0, s.applyAsLong(spm.q16()), d, m, 0, 0, 0, 1));
                    seq.next(b.gemm(tu, ProgramBuilder.F16F16, s.applyAsLong(spm.q16()), s.applyAsLong(spm.k()), s.applyAsLong(spm.s32()), m, keys, d, false, true));
                    seq.next(b.vop(vu, ProgramBuilder.SOFTMAX, s.applyAsLong(spm.s32()), 0, s.applyAsLong(spm.s32()), keys, m, scale, REG_POS, 1 + b0,
                            ProgramBuilder.SOFTMAX_SCALED | ProgramBuilder.SOFTMAX_REG_VALID | causal));
                    seq.next(b.vop(vu, ProgramBuilder.CAST, s.applyAsLong(spm.s32()), 0, s.applyAsLong(spm.p16()), keys, m, 0, 0, 0, 1));
                    seq.next(b.gemm(tu, ProgramBuilder.F16F16, s.applyAsLong(spm.p16()), s.applyAsLong(spm.v()), s.applyAsLong(spm.o32()), m, d, keys, false, false));
                    seq.next(b.dma(out, s.applyAsLong(spm.o32()), address(DRAM, 0, yAt + col), 4 * d * span, nb, 4 * d * span, 4 * qw, 3));
                }
                hq += span;
            }
            // Last on the DMA queues, so they never hold up this engine's attention: the rows of the kv
            // heads this engine owns into the cache, once every engine has loaded what it reads there.
            boolean waited = false;
            for (int kv = kv0; kv <= lastKv; kv++) {
                if (owner(kv) != e) continue;
                if (!waited) for (int q : new int[]{in, out}) b.record(q, ProgramBuilder.SYNC, 0, 0, barrier, readers, NO_SEM, 0);
                waited = true;
                long new16 = spm.new16(kv - kv0, rows, d);
                long[] cache = {kBase, vBase};
                for (int part = 0; part < 2; part++) {
                    ByteBuffer w = b.dma(part == 0 ? in : out, s.applyAsLong(new16 + 2L * part * rows * d), address(DRAM, 0, cache[part] + 2L * kv * capacity * d),
                            2 * d, rows, 2 * d, 2 * d, 2);
                    ProgramBuilder.sync(ProgramBuilder.register(w, REG_WRITE, 2 * d, true), e, castDone[kv - kv0], NO_SEM);
                }
            }
        }
        return b.bytes();
    }

    /** One engine's steps in order: each waits for the ones before it on semaphore {@code e} and signals it. */
    private static final class Seq {
        private final int sem;
        private int steps;

        Seq(int sem) {
            this.sem = sem;
        }

        void next(ByteBuffer r) {
            together(r);
        }

        /** Records that run side by side (on different queues): each waits for the steps before, and signals. */
        void together(ByteBuffer... rs) {
            for (ByteBuffer r : rs) ProgramBuilder.sync(r, steps == 0 ? NO_SEM : sem, steps, sem);
            steps += rs.length;
        }

        /** The semaphore's value once every step so far is done. */
        int done() {
            return steps;
        }
    }

    /** The registers of a run of layer {@code layer} at positions from {@code p0}. */
    long[] registers(int layer, int p0) {
        long layerRow = (long) layer * kvHeads * capacity;
        return new long[]{layerRow + p0, layerRow, p0};
    }

    /**
     * The Java mirror of a run (NPU.md B5, whole programs): writes the rows' keys and values into
     * {@code cache} (the two caches as FP16 bits, {@code [K|V][layer][kv_head][capacity][head_dim]}) and
     * returns y, bit for bit what the program computes; the input holds {@code rows} rows (a bucket's,
     * padding included).
     */
    float[] reference(short[] cache, int layer, int p0, int rows, int keys, float[] qkv) {
        int qw = heads * headDim, kw = kvHeads * headDim, iw = inputWidth();
        float[] q = new float[rows * qw], k = new float[rows * kw], v = new float[rows * kw];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(qkv, r * iw, q, r * qw, qw);
            System.arraycopy(qkv, r * iw + qw, k, r * kw, kw);
            System.arraycopy(qkv, r * iw + qw + kw, v, r * kw, kw);
        }
        return reference(cache, layer, p0, rows, keys, q, k, v);
    }

    /** {@link #reference(short[], int, int, int, int, float[])} with q, k and v apart. */
    float[] reference(short[] cache, int layer, int p0, int rows, int keys, float[] q, float[] k, float[] v) {
        int d = headDim, qw = heads * d, kw = kvHeads * d, g = heads / kvHeads, rb = Math.min(rows, ROW_BLOCK);
        long half = (long) layers * kvHeads * capacity * d;
        for (int h = 0; h < kvHeads; h++) {
            for (int r = 0; r < rows; r++) {
                long at = (((long) layer * kvHeads + h) * capacity + p0 + r) * d;
                for (int i = 0; i < d; i++) {
                    cache[(int) (at + i)] = NpuSemantics.f16(k[r * kw + h * d + i]);
                    cache[(int) (half + at + i)] = NpuSemantics.f16(v[r * kw + h * d + i]);
                }
            }
        }
        float[] y = new float[rows * qw];
        for (int hq = 0; hq < heads; hq++) {
            int kv = hq / g;
            int base = (int) (((long) layer * kvHeads + kv) * capacity * d);
            short[] kb = java.util.Arrays.copyOfRange(cache, base, base + keys * d);
            short[] vb = java.util.Arrays.copyOfRange(cache, (int) (half + base), (int) (half + base) + keys * d);
            for (int b0 = 0; b0 < rows; b0 += rb) {
                int nb = Math.min(rb, rows - b0);
                short[] qs = new short[nb * d];
                for (int r = 0; r < nb; r++) for (int i = 0; i < d; i++) qs[r * d + i] = NpuSemantics.f16(q[(b0 + r) * qw + hq * d + i]);
                float[] p = NpuSemantics.softmaxCausal(NpuSemantics.gemmF16(qs, kb, nb, keys, d, true), keys, nb, scale, (long) p0 + 1 + b0);
                short[] ps = new short[p.length];
                for (int i = 0; i < p.length; i++) ps[i] = NpuSemantics.f16(p[i]);
                float[] o = NpuSemantics.gemmF16(ps, vb, nb, d, keys, false);
                for (int r = 0; r < nb; r++) System.arraycopy(o, r * d, y, (b0 + r) * qw + hq * d, d);
            }
        }
        return y;
    }
}
