package axc.target.npu;

import axc.bundle.Bundle;
import axc.bundle.BundleWriter;
import axc.errors.CompileFailedException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.json.Json;
import axc.interp.ParamSource;
import axc.interp.StoredParams;
import axc.interp.WeightsParams;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.reference.Weights;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.GraphExecutable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The npu target (v1): matmul-family nodes lowered to RNPU-A programs, W8A8 ({@link NpuMatmul},
 * {@link NpuProgram}), run on the simulator; everything else runs on the cpu target in a partitioned
 * artifact. Entries under {@code code/npu/}: the resolved {@code device.json}, {@code plan.json}, one
 * {@code decode_b1}, one {@code decode_b4} and one {@code prefill_c128} program per node (and the warm variant of each chained
 * decode program, {@link DecodeChain}), and {@code weights.bin}, the DRAM image of every node's int8
 * weight chunks, scales, biases and norm weights.
 */
public final class NpuTarget implements Target {
    static final String DIR = "code/npu/";
    static final String DEVICE = DIR + "device.json", PLAN = DIR + "plan.json", WEIGHTS = DIR + "weights.bin";
    /** DRAM alignment of each node's image. */
    static final long PAGE = 4096;

    private final TargetOptions options;

    NpuTarget(TargetOptions options) {
        this.options = options;
    }

    @Override
    public TargetInfo info() {
        return new TargetInfo("npu", "RNPU-A (simulated): W8A8 matmul, rms_norm_matmul and matmul_swiglu over the engines, rms_norm, attention over an FP16 KV"
                + " cache in device DRAM, on the cycle-approximate simulator; other ops on cpu", TargetProvider.API_VERSION, List.of("f32", "f16", "bf16", "q8_0", "q4_0"),
                List.of("matmul", "rms_norm_matmul", "matmul_swiglu", "rms_norm", "attention"));
    }

    /**
     * A quantized checkpoint's norms into the matmuls that read them, unfolded: the matmul programs apply
     * the norm weight on the vector unit anyway, so the norm costs no program of its own.
     */
    @Override
    public List<axc.pass.Pass> loweringPasses() {
        return List.of(axc.passes.FoldRmsNormIntoMatmul.unfolded());
    }

    @Override
    public Support supports(Node node) {
        return supports(null, node);
    }

    /** With the graph: the weights' shapes, and whether the node's buffers fit this device's scratchpad. */
    @Override
    public Support supports(axc.ir.Graph graph, Node node) {
        JsonNode d = device();
        int engines = d.path("engines").asInt();
        long spm = d.path("spm").path("bytes").asLong();
        if (node.op() == Op.ATTENTION) return NpuAttention.support(node, engines, spm);
        if (node.op() == Op.RMS_NORM) return NpuNorm.support(graph, node, engines, spm);
        if (node.op() == Op.SLICE && graph != null) return sliceView(graph, node);
        Support s = NpuMatmul.support(graph, node);
        if (!s.supported() || graph == null || node.op() == Op.INPUT || node.op() == Op.PARAM) return s;
        try {
            new NpuMatmul(graph, node, engines, spm);
            return s;
        } catch (IllegalArgumentException e) {
            return Support.no(e.getMessage());
        }
    }

    private JsonNode device;

    /** A slice of a fused QKV projection that feeds an attention on the device as a view ({@link QkvViews}), when both run here. */
    private Support sliceView(Graph graph, Node slice) {
        if (!QkvViews.of(graph).slices().contains(slice.id())) return Support.no("slice has no NPU lowering except as a view of a fused QKV projection for attention");
        Node projection = graph.node(slice.input(0));
        Node attention = null;
        for (Node n : graph.nodes()) if (n.op() == Op.ATTENTION && n.inputs().contains(slice.id())) attention = n;
        Support p = supports(graph, projection), a = attention == null ? Support.no("no attention reads it") : supports(attention);
        return !p.supported() ? p : a;
    }

    /** The resolved description of the device this target compiles for. */
    private synchronized JsonNode device() {
        if (device == null) {
            try (Simulator sim = NpuDevices.open(NpuDevices.json(options.device()), "--device " + deviceName())) {
                device = Json.parse(sim.deviceJson().getBytes(StandardCharsets.UTF_8), "device");
            }
        }
        return device;
    }

    @Override
    public void compile(Graph g, CompileContext ctx, BundleWriter out) {
        String json = NpuDevices.json(options.device());
        String resolved;
        long hash;
        int engines;
        long spm, dram, shm;
        try (Simulator sim = NpuDevices.open(json, "--device " + deviceName())) {
            resolved = sim.deviceJson();
            hash = sim.deviceHash();
            JsonNode d = Json.parse(resolved.getBytes(StandardCharsets.UTF_8), "device");
            engines = d.path("engines").asInt();
            spm = d.path("spm").path("bytes").asLong();
            dram = d.path("dram").path("bytes").asLong();
            shm = d.path("shm").path("bytes").asLong();
        }
        Layout layout;
        try {
            layout = Layout.of(g, engines, spm);
        } catch (IllegalArgumentException e) {
            throw new CompileFailedException("npu: " + e.getMessage());
        }
        if (layout.end > dram) throw new CompileFailedException("npu: the model needs " + layout.end + " bytes of device DRAM; the device has " + dram);
        if (layout.shmEnd > shm) {
            throw new CompileFailedException("npu: the model needs " + layout.shmEnd + " bytes of shared memory for a prefill's gathered codes and the values"
                    + " handed between nodes; the device (" + deviceName() + ") has " + shm);
        }
        out.add(DEVICE, resolved.getBytes(StandardCharsets.UTF_8));
        // The golden logits are the float reference's; W8A8 sits this far from them (NPU.md B5, level 3).
        // top-1 0.95 rather than 0.98: the golden prompts have 49 positions, where one token is 2%, and FP16
        // attention (NPU.md's KV cache and f16 GEMMs) flips one more of the trained model's near-ties there
        // (0.959; its mean KL 1.7e-4). The 201 positions of validate's own prompts stay at 0.995.
        // W4A8 (int4 per output channel, from 4-bit checkpoints) sits further: about 1e-2 NMSE from the golden logits.
        boolean anyInt4 = layout.nodes.stream().anyMatch(m -> m.int4);
        if (ctx.config() != null) {
            String t = anyInt4 ? "{\"max_nmse\": 2e-2, \"min_top1\": 0.8}\n" : "{\"max_nmse\": 2e-3, \"min_top1\": 0.95}\n";
            out.add(axc.compile.Golden.TOLERANCE, t.getBytes(StandardCharsets.UTF_8));
        }
        ObjectNode plan = Json.MAPPER.createObjectNode();
        plan.put("engines", engines);
        plan.put("chunk_rows", NpuMatmul.CHUNK_ROWS);
        plan.put("small_rows", NpuMatmul.SMALL_ROWS);
        plan.put("x", layout.x).put("r", layout.r).put("y", layout.y).put("rope", layout.rope).put("dram_bytes", layout.end);
        boolean chained = DecodeChain.fits(layout.nodes, spm);
        plan.put("decode_chain", chained);
        // Where the chain's prefetch regions start: a program that stays below leaves a prefetched chunk in place.
        if (chained) plan.put("chain_region", DecodeChain.region(0, spm, DecodeChain.regionBytes(layout.nodes)));
        ArrayNode nodes = plan.putArray("nodes");
        for (int i = 0; i < layout.nodes.size(); i++) {
            NpuMatmul m = layout.nodes.get(i);
            ObjectNode o = nodes.addObject();
            o.put("node", m.node.id()).put("op", m.node.op().spelling()).put("weights", m.int4 ? "w4a8" : "w8a8").put("k", m.k).put("n", m.n).put("chunk", m.chunk)
                    .put("prefill_rows_per_engine", m.share(NpuMatmul.CHUNK_ROWS)).put("prefill_slice", m.slice(NpuMatmul.CHUNK_ROWS))
                    .put("dram", m.dramBase).put("bytes", m.imageBytes()).put("x_from_shm", m.xShm >= 0).put("y_to_shm", m.yShm >= 0);
            for (int rows : new int[]{NpuMatmul.SMALL_ROWS, NpuMatmul.CHUNK_ROWS}) {
                out.add(program(m.node.id(), rows), NpuProgram.emit(m, rows, layout.x, layout.r, layout.y, layout.rope, hash));
            }
            if (!chained) {
                out.add(program(m.node.id(), 1), NpuProgram.emit(m, 1, layout.x, layout.r, layout.y, layout.rope, hash));
                continue;
            }
            int prev = DecodeChain.previous(i, layout.nodes.size());
            o.put("decode_previous", prev < 0 ? -1 : layout.nodes.get(prev).node.id());
            out.add(program(m.node.id(), 1), NpuProgram.emit(m, 1, layout.x, layout.r, layout.y, layout.rope, hash, DecodeChain.at(layout.nodes, i, false, spm)));
            if (prev >= 0) {
                out.add(warmProgram(m.node.id()), NpuProgram.emit(m, 1, layout.x, layout.r, layout.y, layout.rope, hash, DecodeChain.at(layout.nodes, i, true, spm)));
            }
        }
        for (NpuNorm m : layout.norms) {
            nodes.addObject().put("node", m.node.id()).put("op", m.node.op().spelling()).put("k", m.k).put("dram", m.dramBase).put("bytes", m.imageBytes());
            for (int rows : new int[]{1, NpuMatmul.SMALL_ROWS, NpuMatmul.CHUNK_ROWS}) out.add(program(m.node.id(), rows), m.emit(rows, layout.x, layout.y, hash));
        }
        NpuAttention att = layout.attention;
        if (att != null) {
            ObjectNode a = plan.putObject("attention");
            a.put("heads", att.heads).put("kv_heads", att.kvHeads).put("head_dim", att.headDim).put("layers", att.layers).put("capacity", att.capacity)
                    .put("qkv", layout.y).put("y", layout.attentionOut).put("k_cache", att.kBase).put("v_cache", att.vBase);
            QkvViews views = QkvViews.of(g);
            ArrayNode v = a.putArray("views");
            views.slices().stream().sorted().forEach(v::add);
            ArrayNode p = a.putArray("projections");
            views.projections().stream().sorted().forEach(p::add);
            ArrayNode keys = a.putArray("key_buckets");
            for (int kb : att.keyBuckets()) {
                keys.add(kb);
                for (int rows : new int[]{1, NpuMatmul.SMALL_ROWS, NpuMatmul.CHUNK_ROWS}) {
                    if (kb < rows) continue;
                    out.add(attentionProgram(rows, kb), att.emit(rows, kb, layout.y, layout.attentionOut, hash));
                }
            }
        }
        try {
            out.add(PLAN, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(plan));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Params as the interpreter reads them: through the model's config (Hugging Face or GGUF names), or as a graph artifact stores them.
        ParamSource params = ctx.config() != null ? new WeightsParams(new Weights(ctx.tensors(), ctx.config(), null)) : new StoredParams(ctx.tensors());
        out.add(WEIGHTS, layout.weightsEnd, ch -> {
            long at = 0;
            for (NpuMatmul m : layout.nodes) {
                at = pad(ch, at, m.dramBase);
                m.writeImage(params, ch);
                at += m.imageBytes() + (m.norm ? 4L * m.k : 0);
            }
            for (NpuNorm m : layout.norms) {
                at = pad(ch, at, m.dramBase);
                m.writeImage(params, ch);
                at += m.imageBytes();
            }
            pad(ch, at, layout.weightsEnd);
        });
    }

    private static long pad(java.nio.channels.WritableByteChannel ch, long at, long to) throws java.io.IOException {
        if (to > at) {
            java.nio.ByteBuffer z = java.nio.ByteBuffer.allocate((int) (to - at));
            while (z.hasRemaining()) ch.write(z);
        }
        return Math.max(at, to);
    }

    /** The device as the user named it, or the default preset. */
    private String deviceName() {
        return options.device() == null ? "atom" : options.device();
    }

    private String trace() {
        return options.settings() == null ? null : options.settings().get(TargetOptions.TRACE);
    }

    static String program(int node, int rows) {
        return DIR + "n" + node + (rows <= NpuMatmul.SMALL_ROWS ? "_decode_b" + rows + ".cmd" : "_prefill_c" + rows + ".cmd");
    }

    /** The attention program every layer runs for {@code rows} query rows over {@code keys} cached positions. */
    static String attentionProgram(int rows, int keys) {
        return DIR + "attention_" + (rows <= NpuMatmul.SMALL_ROWS ? "decode_b" + rows : "prefill_c" + rows) + "_k" + keys + ".cmd";
    }

    /** The warm variant of a chained decode program ({@link DecodeChain}): its first weight chunk already in place. */
    static String warmProgram(int node) {
        return DIR + "n" + node + "_decode_b1_warm.cmd";
    }

    /** Where every lowered node's weights and the I/O buffers sit in device DRAM. */
    record Layout(List<NpuMatmul> nodes, List<NpuNorm> norms, NpuAttention attention, long weightsEnd, long x, long r, long y, long rope, long attentionOut,
                  long end, long shmEnd) {
        static Layout of(Graph g, int engines, long spm) {
            List<NpuMatmul> nodes = new ArrayList<>();
            long at = 0;
            long maxK = 1, maxN = 1, maxD = 1;
            for (Node n : g.nodes()) {
                if (n.op() != Op.MATMUL && n.op() != Op.RMS_NORM_MATMUL && n.op() != Op.MATMUL_SWIGLU) continue;
                NpuMatmul m = new NpuMatmul(g, n, engines, spm);
                m.dramBase = at;
                at += m.imageBytes() + (m.norm ? 4L * m.k : 0);
                at = (at + PAGE - 1) / PAGE * PAGE;
                maxK = Math.max(maxK, m.k);
                maxN = Math.max(maxN, m.n);
                if (m.rope != null) maxD = Math.max(maxD, m.rope.headDim());
                nodes.add(m);
            }
            // Standalone norms (a quantized checkpoint's): each one's weight after the matmuls' images.
            List<NpuNorm> norms = new ArrayList<>();
            for (Node n : g.nodes()) {
                if (n.op() != Op.RMS_NORM) continue;
                NpuNorm m = new NpuNorm(g, n, engines, spm);
                m.dramBase = at;
                at = (at + m.imageBytes() + PAGE - 1) / PAGE * PAGE;
                maxK = Math.max(maxK, m.k);
                maxN = Math.max(maxN, m.k);
                norms.add(m);
            }
            NpuAttention attention = NpuAttention.of(g, engines, spm);
            long qw = 0;
            if (attention != null) {
                qw = (long) attention.heads * attention.headDim;
                maxN = Math.max(maxN, attention.inputWidth());
            }
            long rows = NpuMatmul.CHUNK_ROWS;
            long x = at, r = x + 4 * rows * maxK, y = r + 4 * rows * maxN, rope = y + 4 * rows * maxN;
            // The attention reads its q, k and v from y (where a fused QKV projection leaves them) and writes
            // its own buffer; then the KV cache (keys, then values) at static addresses every program shares.
            long attentionOut = rope + 4 * rows * maxD, end = attentionOut + 4 * rows * qw;
            if (attention != null) {
                attention.kBase = (end + PAGE - 1) / PAGE * PAGE;
                attention.vBase = attention.kBase + attention.cacheBytes();
                end = attention.vBase + attention.cacheBytes();
            }
            // Shared memory: the prefill's gathered codes from 0, then two hand-off areas (a node reads one
            // and writes the other, so a chain of hand-offs never overwrites an input still being read).
            long gather = 0;
            for (NpuMatmul m : nodes) gather = Math.max(gather, (m.gatherBytes(NpuMatmul.CHUNK_ROWS) + 63) & ~63L);
            long area = handoffs(g, nodes, gather);
            return new Layout(nodes, norms, attention, at, x, r, y, rope, attentionOut, end, gather + 2 * area);
        }

        /**
         * Marks the nodes that hand their output straight to the next lowered node through shared
         * memory: the next node in graph order (so the two run back to back, in one segment), reading it
         * as its input, and the only reader of it (no other node and no graph output needs it in DRAM),
         * itself not an output that is a plain product (those may run on a prompt's last row alone).
         * A prefill's gate and up output, 2.5 MB at 128 rows of the 0.5B shape, is then never written to
         * DRAM and read back by the down projection. The two areas start at {@code first}; returns the
         * bytes of one (0 when no node hands off).
         */
        static long handoffs(Graph g, List<NpuMatmul> nodes, long first) {
            Map<Integer, Integer> readers = new HashMap<>();
            for (Node n : g.nodes()) for (int in : n.inputs()) readers.merge(in, 1, Integer::sum);
            Map<Integer, Integer> order = new HashMap<>();
            for (Node n : g.nodes()) if (n.op() != Op.INPUT && n.op() != Op.PARAM) order.put(n.id(), order.size());
            List<Integer> from = new ArrayList<>();
            long area = 0;
            for (int i = 0; i + 1 < nodes.size(); i++) {
                NpuMatmul a = nodes.get(i), b = nodes.get(i + 1);
                int id = a.node.id();
                if (readers.getOrDefault(id, 0) != 1 || g.outputs().contains(id) || b.node.input(0) != id) continue;
                // A plain product that is an output may run on a prompt's last row only (the logits), which
                // is not where the hand-off left it.
                if (Epilogue.narrowable(b.node.op(), Epilogue.of(b.node)) && g.outputs().contains(b.node.id())) continue;
                if (order.get(b.node.id()) != order.get(id) + 1) continue;
                from.add(i);
                area = Math.max(area, (4L * NpuMatmul.CHUNK_ROWS * a.n + 63) & ~63L);
            }
            for (int i : from) {
                NpuMatmul a = nodes.get(i), b = nodes.get(i + 1);
                long to = first + (a.xShm == first ? area : 0);
                a.yShm = to;
                b.xShm = to;
            }
            return area;
        }
    }

    @Override
    public Executable load(Bundle b) {
        throw new UnsupportedFeatureException("npu: v1 runs matmuls only, so its artifacts are always partitioned with cpu (the runner loads them by segment)");
    }

    @Override
    public GraphExecutable loadGraph(Bundle b) {
        return new NpuGraphExecutable(b, axc.ir.text.AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8)), options.device(), trace());
    }

    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        return new NpuGraphExecutable(b, segment, options.device(), trace());
    }
}
