package axc.target.npu;

import axc.formats.quant.KQuantSearch;
import axc.interp.ParamSource;
import axc.ir.Dim;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.WeightScheme;
import axc.reference.Matrix;
import axc.target.Support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One matmul-family node lowered for the NPU (W8A8, NPU.md B3): its weights quantized to int8 with one
 * float32 scale per output channel, split over the engines by output column and cut into chunks that
 * fit two scratchpad buffers; and, per row bucket (1 for decode, {@link #CHUNK_ROWS} for prefill), a
 * program in which each engine loads the input (on NDMA_OUT), normalizes and quantizes it per token,
 * and streams its weight chunks through double buffers: NDMA_IN runs ahead of the tensor unit, which runs ahead of the
 * vector unit's dequantization, which runs ahead of NDMA_OUT; semaphores bound each lead to two
 * buffers.
 *
 * <p>Kinds: {@code matmul} (several weights: their outputs side by side), {@code rms_norm_matmul}
 * (the norm on the vector unit first), gated matmuls ({@code matmul_swiglu}, or a swiglu epilogue:
 * gate and up chunks side by side, {@code silu(g)·u}); epilogues: bias (in the dequantization), RoPE
 * (from cos/sin tables of the rows' positions, which the host writes) and residual (an add).
 */
final class NpuMatmul {
    /** Rows of the prefill program ({@code prefill_c128}, NPU.md B3). */
    static final int CHUNK_ROWS = 128;
    /**
     * Most rows of input loaded, normalized and quantized at once. A 128-row chunk's float input does not
     * fit beside two weight buffers (at K = 4864 it is 2.5 MB of the 4 MiB), so the program takes it in
     * slices through one staging buffer; only its int8 codes are kept whole.
     */
    static final int MAX_SLICE = 64;
    /** Rows of the small-batch program ({@code decode_b4}): two to four rows run it instead of a padded 128-row chunk. */
    static final int SMALL_ROWS = 4;
    /** Bytes of one weight buffer; two of them per engine. */
    static final int WEIGHT_BUFFER = 1024 * 1024;
    /** Bytes of one accumulator (or output) buffer at {@link #CHUNK_ROWS} rows; two of each per engine. */
    static final int RESULT_BUFFER = 512 * 1024;

    final Node node;
    final int k;
    /** Output features: the sum of the weights' rows (for swiglu: the gate's). */
    final int n;
    final boolean norm, swiglu, bias, residual;
    /**
     * W4A8: the weights are stored in 4 bits or fewer (Q4_0, Q4_K, Q3_K, ...), so they stay 4-bit on
     * the device, two codes a byte, unpacked by the i8·i4 GEMM; otherwise W8A8.
     */
    final boolean int4;
    /** Bytes of one output channel's codes: K, or K/2 for W4A8. */
    final int codeBytes;
    /** The RoPE epilogue (features {@code [0, heads·headDim)} rotated at the rows' positions), or null. */
    final Epilogue.Rope rope;
    final List<Node> weights;
    final List<Node> biases;
    /** The norm weight of an {@code rms_norm_matmul}, else null. */
    final Node normWeight;
    final int engines;
    /** Output features per engine (the last may have fewer, or none). */
    final int perEngine;
    /** Output features per chunk. */
    final int chunk;
    /** Rows of input a {@link #CHUNK_ROWS} program stages at once: the most, a power of two, whose layout fits. */
    final int prefillSlice;
    /** Where this node's weights start in DRAM, and their bytes. */
    long dramBase;
    /**
     * Offsets in shared memory this node's input is read from and its output written to, when the
     * node before it hands its output straight to it ({@link NpuTarget.Layout#handoffs}); -1: DRAM.
     */
    long xShm = -1, yShm = -1;
    /** Per engine, each chunk's first feature and width: steps of {@link #chunk}, cut where RoPE's features end. */
    private final int[][] chunkStart, chunkWidth;

    NpuMatmul(Graph g, Node node, int engines, long spmBytes) {
        this.node = node;
        this.engines = engines;
        Epilogue e = Epilogue.of(node);
        norm = node.op() == Op.RMS_NORM_MATMUL;
        // A matmul_swiglu, or a matmul whose swiglu epilogue gates the first of its two equal weights with the second.
        swiglu = node.op() == Op.MATMUL_SWIGLU || e.swiglu();
        bias = e.biases() > 0;
        residual = e.residual();
        rope = e.rope();
        int first = norm ? 2 : 1;
        normWeight = norm ? g.node(node.input(1)) : null;
        weights = new ArrayList<>();
        for (int i = first; i < Epilogue.baseInputs(node); i++) weights.add(g.node(node.input(i)));
        biases = new ArrayList<>();
        if (bias) for (int i = 0; i < e.biases(); i++) biases.add(g.node(node.input(e.firstBias(node.inputs().size()) + i)));
        k = (int) fixed(weights.getFirst().type().last());
        int4 = weights.stream().allMatch(w -> w.scheme() instanceof WeightScheme.Stored st && st.dtype().bits() <= 4.5);
        codeBytes = int4 ? k / 2 : k;
        int rows = 0;
        for (Node w : swiglu ? weights.subList(0, 1) : weights) rows += (int) fixed(w.type().dim(0));
        n = rows;
        // With RoPE, engine and chunk boundaries fall on whole heads, so a head's two halves meet in one chunk.
        int unit = rope != null ? rope.headDim() : 1;
        perEngine = ceil(ceil(n, engines), unit) * unit;
        int parts = swiglu ? 2 : 1;
        int byWeights = Math.max(1, WEIGHT_BUFFER / (parts * (codeBytes + 12)));
        int byResults = Math.max(1, RESULT_BUFFER / (parts * 4 * CHUNK_ROWS));
        chunk = Math.max(unit, Math.min(perEngine, Math.min(byWeights, byResults)) / unit * unit);
        int ropeEnd = rope != null ? rope.heads() * rope.headDim() : 0;
        chunkStart = new int[engines][];
        chunkWidth = new int[engines][];
        for (int eng = 0; eng < engines; eng++) {
            List<int[]> cs = new ArrayList<>();
            int end = firstFeature(eng) + features(eng);
            for (int f = firstFeature(eng); f < end; ) {
                int w = Math.min(chunk, end - f);
                // A chunk is all rotated or all not, so one rope VOP covers its rows.
                if (f < ropeEnd && f + w > ropeEnd) w = ropeEnd - f;
                cs.add(new int[]{f, w});
                f += w;
            }
            chunkStart[eng] = cs.stream().mapToInt(a -> a[0]).toArray();
            chunkWidth[eng] = cs.stream().mapToInt(a -> a[1]).toArray();
        }
        int slice = MAX_SLICE;
        while (slice > 1 && spmLayout(CHUNK_ROWS, true, slice).end() > spmBytes) slice /= 2;
        prefillSlice = slice;
        if (spmLayout(CHUNK_ROWS).end() > spmBytes) {
            throw new IllegalArgumentException(node.ref() + ": rows of " + k + " need " + spmLayout(CHUNK_ROWS).end() + " bytes of scratchpad, more than " + spmBytes);
        }
    }

    /** Whether the NPU runs {@code n}; with the graph ({@code g} not null), its weights' shapes too. */
    static Support support(Graph g, Node n) {
        return switch (n.op()) {
            case INPUT, PARAM -> Support.yes();
            case MATMUL, RMS_NORM_MATMUL, MATMUL_SWIGLU -> {
                Epilogue e = Epilogue.of(n);
                boolean gated = n.op() == Op.MATMUL_SWIGLU || e.swiglu();
                if (e.rope() != null && (gated || e.rope().headDim() % 2 != 0)) yield Support.no("a rope epilogue on a gated matmul or over odd heads has no NPU lowering");
                if (gated && e.biases() > 0) yield Support.no("a gated (swiglu) matmul with a bias has no NPU lowering");
                if (!(n.scheme() instanceof WeightScheme.Stored)) yield Support.no("weight scheme " + n.scheme().spelling() + " is not re-quantized for the NPU");
                if (g != null) {
                    int first = n.op() == Op.RMS_NORM_MATMUL ? 2 : 1;
                    List<Node> ws = new ArrayList<>();
                    for (int i = first; i < Epilogue.baseInputs(n); i++) ws.add(g.node(n.input(i)));
                    for (Node w : ws) {
                        if (w.op() != Op.PARAM) yield Support.no("weight " + w.ref() + " is computed, not a param");
                        if (fixed(w.type().last()) % 16 != 0) yield Support.no("rows of " + fixed(w.type().last()) + " are not a multiple of 16");
                    }
                    if (e.swiglu() && (ws.size() != 2 || fixed(ws.get(0).type().dim(0)) != fixed(ws.get(1).type().dim(0)))) {
                        yield Support.no("a swiglu epilogue over weights other than one gate and one up of equal rows");
                    }
                }
                yield Support.yes();
            }
            default -> Support.no(n.op().spelling() + " has no NPU lowering yet (runs on cpu)");
        };
    }

    private static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Whether RoPE rotates chunk {@code c} of engine {@code e} (all of it: chunks do not straddle). */
    boolean rotated(int e, int c) {
        return rope != null && chunkStart(e, c) < rope.heads() * rope.headDim();
    }

    /** The first output feature of chunk {@code c} of engine {@code e}. */
    int chunkStart(int e, int c) {
        return chunkStart[e][c];
    }

    /** Features engine {@code e} computes, starting at {@link #firstFeature}. */
    int features(int e) {
        return Math.max(0, Math.min(n, (e + 1) * perEngine) - e * perEngine);
    }

    int firstFeature(int e) {
        return e * perEngine;
    }

    int chunks(int e) {
        return chunkStart[e].length;
    }

    /** Bytes of one chunk's blob: codes ([c][K] int8, or int4 two a byte; gate then up for swiglu), scales (f32 each), biases (f32). */
    long blobBytes(int c) {
        int parts = swiglu ? 2 : 1;
        return (long) parts * c * codeBytes + (long) parts * 4 * c + (bias ? 4L * c : 0);
    }

    /** Bytes of this node's DRAM weight image: every engine's chunks in order. */
    long imageBytes() {
        long b = 0;
        for (int e = 0; e < engines; e++) {
            for (int c = 0; c < chunks(e); c++) b += blobBytes(chunkFeatures(e, c));
        }
        return b;
    }

    int chunkFeatures(int e, int c) {
        return chunkWidth[e][c];
    }

    /** Where chunk {@code c} of engine {@code e} starts in this node's DRAM image, from {@link #dramBase}. */
    long chunkOffset(int e, int c) {
        long b = 0;
        for (int i = 0; i < e; i++) for (int j = 0; j < chunks(i); j++) b += blobBytes(chunkFeatures(i, j));
        for (int j = 0; j < c; j++) b += blobBytes(chunkFeatures(e, j));
        return b;
    }

    /** The scratchpad of one engine for a bucket of {@code rows}: offsets of every buffer. */
    record Spm(long x, long xn, long g, long q, long s, long w0, long w1, long acc0, long acc1, long y0, long y1, long r0, long r1, long rope, long end) {
    }

    Spm spmLayout(int rows) {
        return spmLayout(rows, true);
    }

    /** Engines with output features: the first ones. */
    int activeEngines() {
        return ceil(n, perEngine);
    }

    /**
     * Whether a program of {@code rows} splits the input's rows over the engines for the norm and the
     * quantization and gathers the codes through shared memory. A prefill does: otherwise every engine
     * would read the whole float input from DRAM (at the down projection, eight copies of 2.5 MB
     * against 4.4 MB of weights) and quantize all of it. A decode step's input is a few KB, for which
     * the gather's extra hop and barrier would cost more than they save.
     */
    boolean gathers(int rows) {
        return rows > SMALL_ROWS && activeEngines() > 1;
    }

    /** Rows of input each engine normalizes and quantizes: its share under {@link #gathers}, else all. */
    int share(int rows) {
        return gathers(rows) ? ceil(rows, activeEngines()) : rows;
    }

    /** Bytes of shared memory a program of {@code rows} gathers its codes and row scales through (0 without {@link #gathers}). */
    long gatherBytes(int rows) {
        return gathers(rows) ? (long) rows * k + 4L * rows : 0;
    }

    /** Rows of its share an engine loads, normalizes and quantizes at once. */
    int slice(int rows) {
        return Math.min(share(rows), prefillSlice);
    }

    /**
     * The layout; without {@code ownEvenBuffer} there is no {@code w0} (a chained decode program streams
     * its even chunks through a region the chain owns, above this layout: {@link DecodeChain}).
     */
    Spm spmLayout(int rows, boolean ownEvenBuffer) {
        return spmLayout(rows, ownEvenBuffer, slice(rows));
    }

    /** The layout with the float input ({@code x}, and {@code xn} for the norm) staged {@code slice} rows at a time. */
    private Spm spmLayout(int rows, boolean ownEvenBuffer, int slice) {
        long at = 0;
        long x = at; at = align(at + 4L * slice * k);
        long xn = at; at = align(at + (norm ? 4L * slice * k : 0));
        long g = at; at = align(at + (norm ? 4L * k : 0));
        long q = at; at = align(at + (long) rows * k);
        long s = at; at = align(at + 4L * rows);
        long blob = blobBytes(chunk);
        long w0 = ownEvenBuffer ? at : -1;
        if (ownEvenBuffer) at = align(at + blob);
        long w1 = at; at = align(at + blob);
        int parts = swiglu ? 2 : 1;
        long acc0 = at; at = align(at + 4L * rows * chunk * parts);
        long acc1 = at; at = align(at + 4L * rows * chunk * parts);
        long y0 = at; at = align(at + 4L * rows * chunk * parts);
        long y1 = at; at = align(at + 4L * rows * chunk * parts);
        long r0 = at; at = align(at + (residual ? 4L * rows * chunk : 0));
        long r1 = at; at = align(at + (residual ? 4L * rows * chunk : 0));
        long ropeAt = at; at = align(at + (rope != null ? 4L * rows * rope.headDim() : 0));
        return new Spm(x, xn, g, q, s, w0, w1, acc0, acc1, y0, y1, r0, r1, ropeAt, at);
    }

    private static long align(long v) {
        return (v + 63) & ~63L;
    }

    /**
     * Writes the weight image: per engine, per chunk, the codes of the chunk's output channels, their
     * scales (absmax / 127 of each dequantized row, codes {@link NpuSemantics#q8} of row · 127/absmax;
     * for W4A8 the unweighted least-squares scale of {@link KQuantSearch#makeQxQuants} and its codes), then their
     * biases; after every chunk, the norm weight of an {@code rms_norm_matmul} as float32. Params are
     * read as the interpreter reads them.
     */
    void writeImage(ParamSource params, WritableByteChannel out) throws IOException {
        float[] biasAll = bias ? concatenatedBiases(params) : null;
        List<Matrix> matrices = new ArrayList<>();
        for (Node w : weights) matrices.add(params.matrix(w.name(), w.scheme()));
        List<int[]> order = new ArrayList<>();
        for (int e = 0; e < engines; e++) for (int c = 0; c < chunks(e); c++) order.add(new int[]{e, c});
        // Chunks are independent: quantized on both cores a window at a time, written in order, so memory
        // holds a window of blobs, not the node's image (the lm_head's is 136 MB at the 0.5B shape).
        for (int w = 0; w < order.size(); w += WINDOW) {
            for (ByteBuffer blob : order.subList(w, Math.min(order.size(), w + WINDOW)).parallelStream()
                    .map(ec -> chunkBlob(matrices, biasAll, ec[0], ec[1])).toList()) {
                write(blob, out);
            }
        }
        if (norm) {
            float[] g = params.vector(normWeight.name());
            ByteBuffer b = ByteBuffer.allocate(4 * g.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : g) b.putFloat(v);
            write(b, out);
        }
    }

    /** The biases of the weights side by side, as one vector of n. */
    private float[] concatenatedBiases(ParamSource params) {
        float[] all = new float[n];
        int at = 0;
        for (Node b : biases) {
            float[] v = params.vector(b.name());
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return all;
    }

    /** Chunks quantized together before they are written. */
    private static final int WINDOW = 32;

    /** Chunk {@code c} of engine {@code e}: its channels' codes, then their scales, then their biases. */
    private ByteBuffer chunkBlob(List<Matrix> matrices, float[] biasAll, int e, int c) {
        int f0 = chunkStart(e, c), cf = chunkFeatures(e, c), parts = swiglu ? 2 : 1;
        ByteBuffer blob = ByteBuffer.allocate((int) blobBytes(cf)).order(ByteOrder.LITTLE_ENDIAN);
        float[] row = new float[k];
        int[] codes = int4 ? new int[k] : null;
        float[][] scales = new float[parts][cf];
        for (int p = 0; p < parts; p++) {
            for (int i = 0; i < cf; i++) {
                if (swiglu) matrices.get(p).row(f0 + i, row);
                else concatenatedRow(matrices, f0 + i, row);
                if (int4) {
                    // Symmetric int4 per channel, codes in [-8, 7]. One scale for a whole row is coarse, so it is
                    // the least-squares fit among llama.cpp's candidate scales (make_qx_quants), which also uses
                    // code -8, rather than absmax / 7. The fit weighs every weight alike (rmse type 2): the
                    // x^2 weights llama.cpp gives its 16-value sub-blocks favour a row's few large weights, and
                    // over a whole row they doubled the error of the rest (top-1 0.960 against 0.980, mean KL
                    // 0.0073 against 0.0031 on the trained model's Q4_0). Byte j holds codes 2j (low nibble) and 2j+1.
                    scales[p][i] = KQuantSearch.makeQxQuants(k, 8, row, 0, codes, 0, 2);
                    for (int t = 0; t < k; t += 2) blob.put((byte) (((codes[t] - 8) & 15) | ((codes[t + 1] - 8) << 4)));
                } else {
                    float amax = 0;
                    for (float v : row) amax = Math.max(amax, Math.abs(v));
                    scales[p][i] = amax / 127.0f;
                    float inv = amax > 0 ? 127.0f / amax : 0.0f;
                    for (float v : row) blob.put(NpuSemantics.q8(v * inv));
                }
            }
        }
        for (int p = 0; p < parts; p++) for (float sc : scales[p]) blob.putFloat(sc);
        if (bias) for (int i = 0; i < cf; i++) blob.putFloat(biasAll[f0 + i]);
        return blob;
    }

    private static void write(ByteBuffer b, WritableByteChannel out) throws IOException {
        b.flip();
        while (b.hasRemaining()) out.write(b);
    }

    /** Output row {@code feature} of the weights side by side. */
    private static void concatenatedRow(List<Matrix> matrices, int feature, float[] out) {
        int f = feature;
        for (Matrix m : matrices) {
            if (f < m.rows()) {
                m.row(f, out);
                return;
            }
            f -= m.rows();
        }
        throw new IllegalStateException("feature " + feature + " past the weights' rows");
    }

    static long fixed(Dim d) {
        if (d instanceof Dim.Fixed f) return f.size();
        throw new IllegalArgumentException("symbolic dimension " + d);
    }
}
