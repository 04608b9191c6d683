package axc.target.npu;

import axc.bundle.Bundle;
import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.json.Json;
import axc.interp.Tensor;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.target.GraphExecutable;
import com.fasterxml.jackson.databind.JsonNode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The npu target's nodes of an artifact (a segment of a partitioned model, or a graph artifact) on the
 * simulator. One simulator serves every segment of an artifact: the DRAM image of the weights is
 * written once, when the first segment opens. Each node runs its {@code decode_b1} program for a
 * one-row step (the warm variant right after its predecessor in the {@link DecodeChain}, which left its
 * first weight chunk in the scratchpad), its {@code decode_b4} program for two to four rows (padded to
 * four) and its {@code prefill_c128} program per 128 rows otherwise (the last chunk padded with
 * zero rows, whose outputs are dropped); values cross through the {@code x}, {@code r} and {@code y}
 * symbols, except an output the next node takes from shared memory ({@code y_to_shm} in the plan). A
 * longer input runs chunk by chunk, every node on one chunk before the next. Each executable adds up
 * the simulated cycles of its own runs ({@link #simulated()}).
 */
final class NpuGraphExecutable implements GraphExecutable {
    private static final Map<String, Shared> SHARED = new HashMap<>();

    /** Trace events kept at most: a long run's timeline stays a file a viewer opens. */
    static final int MAX_TRACE_EVENTS = 200_000;

    /** A simulator with an artifact's weights in its DRAM, and how many executables use it. */
    static final class Shared {
        final Simulator sim;
        final Map<String, byte[]> programs = new HashMap<>();
        int users;
        /**
         * The cold name ({@link NpuTarget#program}) of the program run last on {@link #sim}: a warm chained
         * decode program runs only right after its predecessor ({@link DecodeChain}).
         */
        String last;
        /** With {@code trace}: every timed run's events, one after another on one timeline. */
        java.nio.file.Path trace;
        final com.fasterxml.jackson.databind.node.ArrayNode events = Json.MAPPER.createArrayNode();
        final Set<Integer> tracks = new HashSet<>();
        double traceUs;
        long dropped;

        void record(String program, double us) {
            if (trace == null) return;
            JsonNode t = Json.parse(sim.traceJson().getBytes(java.nio.charset.StandardCharsets.UTF_8), "trace");
            for (JsonNode e : t.path("traceEvents")) {
                com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) e.deepCopy();
                if ("M".equals(o.path("ph").asText())) {
                    if (tracks.add(o.path("tid").asInt())) events.add(o);
                    continue;
                }
                if (events.size() >= MAX_TRACE_EVENTS) {
                    dropped++;
                    continue;
                }
                o.put("ts", o.path("ts").asDouble() + traceUs);
                ((com.fasterxml.jackson.databind.node.ObjectNode) o.path("args")).put("program", program);
                events.add(o);
            }
            traceUs += us;
        }

        void writeTrace() {
            if (trace == null) return;
            com.fasterxml.jackson.databind.node.ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("displayTimeUnit", "ns");
            if (dropped > 0) root.putObject("otherData").put("dropped_events", dropped);
            root.set("traceEvents", events);
            axc.formats.io.AtomicOutput.writeFile(trace, tmp -> Json.MAPPER.writeValue(tmp.toFile(), root));
        }

        Shared(Simulator sim) {
            this.sim = sim;
        }
    }

    private final Graph graph;
    private final Bundle bundle;
    /** This executable's own simulated cycles (the shared simulator serves other segments too). */
    private double cycles;
    private final long weightBytes;
    private final double clockGhz, dramGbPerS;
    private final String key;
    private final Shared shared;
    /** Per node of a chained artifact, the node whose decode program prefetches its first chunk (absent: none). */
    private final Map<Integer, Integer> previous = new HashMap<>();
    /** Decode programs this executable ran warm (tests check the chain is taken). */
    int warmRuns;
    /** Rows of the artifact's small-batch programs ({@code decode_b4}), or 0 when it has none (older artifacts). */
    private final int smallRows;
    /** Rows of the artifact's prefill programs (128; artifacts before {@code prefill_c128} have 64). */
    private final int chunkRows;
    /** Nodes whose input the node before them left in shared memory, and nodes that leave their output there for the next. */
    private final Set<Integer> xFromShm = new HashSet<>(), yToShm = new HashSet<>();
    /** Slices that are views of a fused QKV projection's output in DRAM, and those projections ({@link QkvViews}). */
    private final Set<Integer> views = new HashSet<>(), projections = new HashSet<>();
    /** Scratchpad offset of the decode chain's prefetch regions (-1: no chain). */
    private final long chainRegion;
    /** The attention nodes' programs and KV cache (null: the artifact runs attention on cpu). */
    private final NpuAttention attention;
    /** Nodes some node of the graph reads. */
    private final Set<Integer> read = new HashSet<>();

    NpuGraphExecutable(Bundle b, Graph graph, String deviceOverride) {
        this(b, graph, deviceOverride, null);
    }

    /** With {@code trace}, the shared simulator's timed runs are written there as one timeline when the last user closes. */
    NpuGraphExecutable(Bundle b, Graph graph, String deviceOverride, String trace) {
        this.graph = graph;
        for (Node n : graph.nodes()) for (int in : n.inputs()) read.add(in);
        this.bundle = b;
        for (Node n : graph.nodes()) {
            if (n.op() != Op.INPUT && n.op() != Op.PARAM && n.op() != Op.MATMUL && n.op() != Op.RMS_NORM_MATMUL && n.op() != Op.MATMUL_SWIGLU && n.op() != Op.ATTENTION
                    && n.op() != Op.SLICE && n.op() != Op.RMS_NORM) {
                throw new InvalidInputException(b.path() + ": node " + n.ref() + " (" + n.op().spelling() + ") is not one the npu target runs");
            }
        }
        this.key = b.path().toAbsolutePath() + "|" + deviceOverride;
        synchronized (SHARED) {
            Shared s = SHARED.get(key);
            if (s == null) {
                String json = deviceOverride != null ? NpuDevices.json(deviceOverride) : new String(b.bytes(NpuTarget.DEVICE), java.nio.charset.StandardCharsets.UTF_8);
                Simulator sim = NpuDevices.open(json, b.path() + " (" + NpuTarget.DEVICE + ")");
                try {
                    MemorySegment image = b.data(NpuTarget.WEIGHTS);
                    long step = 16L << 20;
                    for (long at = 0; at < image.byteSize(); at += step) {
                        byte[] piece = image.asSlice(at, Math.min(step, image.byteSize() - at)).toArray(ValueLayout.JAVA_BYTE);
                        sim.write(null, ProgramBuilder.address(ProgramBuilder.DRAM, 0, at), piece);
                    }
                } catch (RuntimeException e) {
                    sim.close();
                    throw e;
                }
                s = new Shared(sim);
                if (trace != null) s.trace = java.nio.file.Path.of(trace);
                SHARED.put(key, s);
            }
            s.users++;
            shared = s;
        }
        JsonNode dev = Json.parse(shared.sim.deviceJson().getBytes(java.nio.charset.StandardCharsets.UTF_8), "device");
        clockGhz = dev.path("clock_ghz").asDouble();
        dramGbPerS = dev.path("dram").path("GBps").asDouble();
        JsonNode plan = Json.parse(b.bytes(NpuTarget.PLAN), b.path() + " (" + NpuTarget.PLAN + ")");
        smallRows = plan.path("small_rows").asInt(0);
        chunkRows = plan.path("chunk_rows").asInt(64);
        if (chunkRows < 1 || chunkRows > 1 << 16) throw new InvalidInputException(b.path() + ": " + NpuTarget.PLAN + " has chunk_rows " + chunkRows);
        long bytes = 0;
        // -Daxc.npu.chain=false runs every decode program cold (to compare, and to measure what the chain saves).
        boolean chain = plan.path("decode_chain").asBoolean(false) && !"false".equals(System.getProperty("axc.npu.chain"));
        // Only the nodes this graph runs: a segment's inputs keep the ids of the nodes that computed them elsewhere.
        for (JsonNode n : plan.path("nodes")) {
            int prev = n.path("decode_previous").asInt(-1);
            if (chain && prev >= 0) previous.put(n.path("node").asInt(), prev);
            int id = n.path("node").asInt();
            if (n.path("x_from_shm").asBoolean(false)) xFromShm.add(id);
            if (n.path("y_to_shm").asBoolean(false)) yToShm.add(id);
            if (graph.has(id) && graph.node(id).op() != Op.INPUT) bytes += n.path("bytes").asLong();
        }
        weightBytes = bytes;
        chainRegion = chain ? plan.path("chain_region").asLong(-1) : -1;
        JsonNode a = plan.path("attention");
        if (a.isObject()) {
            attention = new NpuAttention(a.path("heads").asInt(), a.path("kv_heads").asInt(), a.path("head_dim").asInt(), a.path("layers").asInt(),
                    dev.path("engines").asInt(), dev.path("spm").path("bytes").asLong());
            if (attention.capacity != a.path("capacity").asInt()) {
                close();
                throw new InvalidInputException(b.path() + ": " + NpuTarget.PLAN + " has a KV cache of " + a.path("capacity").asInt()
                        + " positions; this device holds " + attention.capacity);
            }
            for (JsonNode v : a.path("views")) views.add(v.asInt());
            for (JsonNode v : a.path("projections")) projections.add(v.asInt());
        } else {
            attention = null;
        }
        try {
            checkViews(b);
            checkHandoffs(b);
        } catch (RuntimeException e) {
            close();   // gives the shared simulator back
            throw e;
        }
    }

    /**
     * A node that leaves its output in shared memory must be followed, in this segment, by its one
     * reader: the two then run back to back on every chunk. Anything else is an artifact this runtime
     * cannot run correctly.
     */
    private void checkHandoffs(Bundle b) {
        List<Node> computing = graph.nodes().stream().filter(n -> n.op() != Op.INPUT && n.op() != Op.PARAM).toList();
        for (int i = 0; i < computing.size(); i++) {
            Node a = computing.get(i);
            if (!yToShm.contains(a.id())) continue;
            boolean next = i + 1 < computing.size() && xFromShm.contains(computing.get(i + 1).id()) && computing.get(i + 1).input(0) == a.id();
            if (!next || graph.outputs().contains(a.id())) {
                throw new InvalidInputException(b.path() + ": " + NpuTarget.PLAN + " hands node " + a.ref() + "'s output on in shared memory, but its reader does not follow it in the segment");
            }
        }
    }

    /**
     * Every slice here is a view the plan names, and its projection and attention run in this segment:
     * the attention then reads the projection's output where it was written, and nothing of the device
     * runs in between.
     */
    private void checkViews(Bundle b) {
        for (Node n : graph.nodes()) {
            if (n.op() != Op.SLICE) continue;
            boolean here = views.contains(n.id()) && graph.has(n.input(0)) && projections.contains(n.input(0));
            boolean read = false;
            for (Node m : graph.nodes()) if (m.op() == Op.ATTENTION && m.inputs().contains(n.id())) read = true;
            if (!here || !read || graph.outputs().contains(n.id())) {
                throw new InvalidInputException(b.path() + ": node " + n.ref() + " (slice) runs on the npu only as a view of a fused QKV projection in the same segment");
            }
        }
    }

    @Override
    public axc.target.SimulatedClock simulated() {
        synchronized (SHARED) {
            return new axc.target.SimulatedClock(cycles / (clockGhz * 1e9), dramGbPerS, weightBytes, chunkRows);
        }
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Session newSession(int capacity) {
        return new Session() {
            @Override
            public List<Tensor> run(Map<String, Tensor> inputs) {
                return NpuGraphExecutable.this.run(inputs, false);
            }

            @Override
            public List<Tensor> runLastRow(Map<String, Tensor> inputs) {
                return NpuGraphExecutable.this.run(inputs, true);
            }
        };
    }

    /**
     * With {@code lastRow}, an output no node reads that is a plain product (a matmul, possibly with its
     * RMSNorm, no epilogue) runs on the last row only: a prompt's logits, NPU.md's last-token-only prefill.
     */
    private List<Tensor> run(Map<String, Tensor> inputs, boolean lastRow) {
        Map<Integer, Tensor> values = new HashMap<>();
        int rows = -1;
        for (Node n : graph.graphInputs()) {
            Tensor t = inputs.get(n.name());
            if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
            values.put(n.id(), t);
            rows = t.shape()[0];
        }
        // The whole step holds the shared simulator: a value handed from one node to the next in shared
        // memory must not meet another session's program in between.
        synchronized (SHARED) {
            return rows <= chunkRows ? chunk(values, lastRow, true) : chunks(values, rows, lastRow);
        }
    }

    private List<Tensor> chunks(Map<Integer, Tensor> values, int rows, boolean lastRow) {
        // Chunk by chunk, every node of the segment on one chunk before the next: a node hands its
        // output to the next through shared memory, which holds one chunk's.
        List<List<Tensor>> parts = new ArrayList<>();
        for (int r0 = 0; r0 < rows; r0 += chunkRows) {
            Map<Integer, Tensor> part = new HashMap<>();
            for (Map.Entry<Integer, Tensor> v : values.entrySet()) part.put(v.getKey(), rowsOf(v.getValue(), r0, Math.min(rows, r0 + chunkRows)));
            parts.add(chunk(part, lastRow, r0 + chunkRows >= rows));
        }
        List<Tensor> outs = new ArrayList<>();
        for (int o = 0; o < graph.outputs().size(); o++) {
            List<Tensor> pieces = new ArrayList<>();
            for (List<Tensor> p : parts) if (p.get(o) != null) pieces.add(p.get(o));
            outs.add(concatRows(pieces));
        }
        return outs;
    }

    /**
     * The segment's nodes on rows of at most one prefill chunk. With {@code lastRow}, an output that
     * {@link #rowWiseOutput} narrows runs on the last row of the {@code last} chunk only (null in the others).
     */
    private List<Tensor> chunk(Map<Integer, Tensor> values, boolean lastRow, boolean last) {
        for (Node n : graph.nodes()) {
            if (n.op() == Op.INPUT || n.op() == Op.PARAM) continue;
            if (lastRow && rowWiseOutput(n)) {
                Tensor x = values.get(n.input(0));
                if (!last) {
                    values.put(n.id(), null);
                    continue;
                }
                if (x.rank() == 2 && x.rows() > 1) {
                    values.put(n.input(0), Tensor.f32(x.row(x.rows() - 1), 1, x.width()));
                    values.put(n.id(), node(n, values));
                    values.put(n.input(0), x);
                    continue;
                }
            }
            values.put(n.id(), node(n, values));
        }
        List<Tensor> outs = new ArrayList<>();
        for (int o : graph.outputs()) outs.add(values.get(o));
        return outs;
    }

    /** Rows {@code [from, to)} of {@code t} (its first dimension). */
    private static Tensor rowsOf(Tensor t, int from, int to) {
        int[] shape = t.shape();
        int width = 1;
        for (int i = 1; i < shape.length; i++) width *= shape[i];
        shape[0] = to - from;
        if (t.floats() != null) return Tensor.f32(java.util.Arrays.copyOfRange(t.floats(), from * width, to * width), shape);
        return Tensor.i32(java.util.Arrays.copyOfRange(t.ints(), from * width, to * width), shape);
    }

    /** The tensors one after another along their first dimension. */
    private static Tensor concatRows(List<Tensor> pieces) {
        if (pieces.size() == 1) return pieces.getFirst();
        int[] shape = pieces.getFirst().shape();
        int rows = 0, n = 0;
        for (Tensor p : pieces) {
            rows += p.shape()[0];
            n += p.floats().length;
        }
        float[] all = new float[n];
        int at = 0;
        for (Tensor p : pieces) {
            System.arraycopy(p.floats(), 0, all, at, p.floats().length);
            at += p.floats().length;
        }
        shape[0] = rows;
        return Tensor.f32(all, shape);
    }

    private boolean rowWiseOutput(Node n) {
        // A node handed its input in shared memory finds every row there, not the last one alone.
        return !xFromShm.contains(n.id()) && Epilogue.narrowable(n.op(), Epilogue.of(n)) && !read.contains(n.id()) && graph.outputs().contains(n.id());
    }

    private Tensor node(Node n, Map<Integer, Tensor> values) {
        if (n.op() == Op.ATTENTION) return attention(n, values);
        // A view: the attention reads its columns of the projection's output in device DRAM.
        if (n.op() == Op.SLICE) return null;
        Tensor x = values.get(n.input(0));
        Epilogue e = Epilogue.of(n);
        Tensor res = e.residual() ? values.get(n.input(e.residualInput(n.inputs().size()))) : null;
        Tensor pos = e.rope() != null ? values.get(n.input(e.positionsInput(n.inputs().size()))) : null;
        int k = x.width(), rows = x.rows();
        int outWidth = (int) NpuMatmul.fixed(n.type().last());
        float[] y = new float[rows * outWidth];
        int bucket = rows == 1 ? 1 : rows <= smallRows ? smallRows : chunkRows;
        synchronized (SHARED) {
            Simulator sim = shared.sim;
            String name = NpuTarget.program(n.id(), bucket);
            Integer prev = bucket == 1 ? previous.get(n.id()) : null;
            boolean warm = prev != null && NpuTarget.program(prev, 1).equals(shared.last);
            byte[] program = shared.programs.computeIfAbsent(warm ? NpuTarget.warmProgram(n.id()) : name, bundle::bytes);
            if (warm) warmRuns++;
            sim.load(program);
            // A decoded row's standalone norm stays below the chain's regions, like attention: the chunk
            // prefetched for the matmul after it is still in place.
            String before = shared.last;
            boolean transparent = n.op() == Op.RMS_NORM && keepsChain(bucket, NpuNorm.spm(k, 1, 1));
            // Set before the run: a failed run leaves the scratchpad unknown, which no later program then trusts.
            shared.last = null;
            // One run: run() cuts longer inputs into chunks of the bucket's rows; a short one is padded.
            if (!xFromShm.contains(n.id())) sim.write("x", 0, floats(x.floats(), 0, rows * k, bucket * k));
            if (res != null) sim.write("r", 0, floats(res.floats(), 0, rows * outWidth, bucket * outWidth));
            if (pos != null) {
                float[] table = ropeTable(pos.ints(), 0, rows, bucket, e.rope());
                sim.write("rope", 0, floats(table, 0, table.length, table.length));
            }
            double c = sim.run(true).cycles();
            cycles += c;
            shared.record((warm ? NpuTarget.warmProgram(n.id()) : name).substring(NpuTarget.DIR.length()), c / (clockGhz * 1000));
            // An output handed to the next node stays in shared memory, and a QKV projection's in DRAM for
            // the attention: nothing here reads it (zeros).
            if (!yToShm.contains(n.id()) && !projections.contains(n.id())) {
                ByteBuffer out = ByteBuffer.wrap(sim.read("y", 0, 4 * bucket * outWidth)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < rows * outWidth; i++) y[i] = out.getFloat(4 * i);
            }
            shared.last = transparent ? before : name;
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = outWidth;
        return Tensor.f32(y, shape);
    }

    /**
     * Whether a decode program that is not itself in the chain (a standalone norm, an attention) leaves
     * the chain's prefetched chunk in place: one row, and its scratchpad ({@code spmEnd} bytes) below the
     * chain's regions. The runtime then keeps the chain's last program as the one run last.
     */
    private boolean keepsChain(int bucket, long spmEnd) {
        return bucket == 1 && chainRegion >= 0 && spmEnd <= chainRegion;
    }

    /**
     * An attention node: its rows' keys and values into the cache in device DRAM at their positions,
     * which must follow one another (a prompt's chunk, or one decoded token), then the program of the
     * row bucket and the smallest key bucket covering them (padding rows write past the sequence's end,
     * where nothing reads before it is written again).
     */
    private Tensor attention(Node n, Map<Integer, Tensor> values) {
        if (attention == null) throw new InvalidInputException(bundle.path() + ": node " + n.ref() + " is attention, but " + NpuTarget.PLAN + " describes no KV cache");
        boolean inPlace = views.contains(n.input(0));
        Tensor q = values.get(n.input(0)), k = values.get(n.input(1)), v = values.get(n.input(2));
        int[] pos = values.get(n.input(3)).ints();
        int rows = pos.length, qw = attention.heads * attention.headDim, kw = attention.kvHeads * attention.headDim, iw = attention.inputWidth();
        int p0 = pos[0];
        for (int r = 1; r < rows; r++) {
            if (pos[r] != p0 + r) throw new InvalidInputException("npu: attention rows at positions " + pos[r - 1] + " then " + pos[r] + "; the KV cache takes consecutive positions");
        }
        if (p0 < 0) throw new InvalidInputException("npu: attention at position " + p0);
        int bucket = rows == 1 ? 1 : rows <= smallRows ? smallRows : chunkRows;
        int keys;
        try {
            keys = attention.keysFor(p0 + bucket);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedFeatureException(bundle.path() + ": " + e.getMessage());
        }
        float[] y = new float[rows * qw];
        synchronized (SHARED) {
            Simulator sim = shared.sim;
            String name = NpuTarget.attentionProgram(bucket, keys);
            sim.load(shared.programs.computeIfAbsent(name, bundle::bytes));
            // A decoded row's attention stays below the chain's regions: the weight chunk the program before
            // it prefetched for the one after is still there, so that one runs warm.
            String before = shared.last;
            boolean transparent = keepsChain(bucket, attention.spm(1, keys).end());
            shared.last = null;
            long[] regs = attention.registers(n.attrs().getInt("layer"), p0);
            sim.setRegister(NpuAttention.REG_WRITE, regs[0]);
            sim.setRegister(NpuAttention.REG_LAYER, regs[1]);
            sim.setRegister(NpuAttention.REG_POS, regs[2]);
            if (!inPlace) {
                // q, k and v side by side per row, as a fused projection would have left them.
                float[] qkv = new float[bucket * iw];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(q.floats(), r * qw, qkv, r * iw, qw);
                    System.arraycopy(k.floats(), r * kw, qkv, r * iw + qw, kw);
                    System.arraycopy(v.floats(), r * kw, qkv, r * iw + qw + kw, kw);
                }
                sim.write("qkv", 0, floats(qkv, 0, qkv.length, qkv.length));
            }
            double c = sim.run(true).cycles();
            cycles += c;
            shared.record(name.substring(NpuTarget.DIR.length()), c / (clockGhz * 1000));
            ByteBuffer out = ByteBuffer.wrap(sim.read("y", 0, 4 * bucket * qw)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < rows * qw; i++) y[i] = out.getFloat(4 * i);
            shared.last = transparent ? before : name;
        }
        return Tensor.f32(y, rows, qw);
    }

    /**
     * The cos then sin tables of rows {@code [r0, r0+m)} of {@code positions} (padding rows at position
     * 0), {@code bucket} rows of headDim/2 each, from the angles as the interpreter computes them.
     */
    static float[] ropeTable(int[] positions, int r0, int m, int bucket, Epilogue.Rope rope) {
        int half = rope.headDim() / 2;
        double[] inv = axc.reference.DecoderMath.invFreq(rope.theta(), rope.headDim());
        float[] t = new float[2 * bucket * half];
        for (int r = 0; r < bucket; r++) {
            int p = r < m ? positions[r0 + r] : 0;
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) inv[i];
                t[r * half + i] = (float) Math.cos(angle);
                t[bucket * half + r * half + i] = (float) Math.sin(angle);
            }
        }
        return t;
    }

    /** {@code n} floats from {@code off}, then zeros up to {@code total}, as little-endian bytes. */
    private static byte[] floats(float[] v, int off, int n, int total) {
        ByteBuffer b = ByteBuffer.allocate(4 * total).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(4 * i, v[off + i]);
        return b.array();
    }

    @Override
    public void close() {
        synchronized (SHARED) {
            if (--shared.users == 0) {
                SHARED.remove(key);
                try {
                    shared.writeTrace();
                } finally {
                    shared.sim.close();
                }
            }
        }
    }
}
