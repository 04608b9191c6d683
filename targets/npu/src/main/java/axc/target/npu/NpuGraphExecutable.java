package axc.target.npu;

import axc.bundle.Bundle;
import axc.errors.InvalidInputException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The npu target's nodes of an artifact (a segment of a partitioned model, or a graph artifact) on the
 * simulator. One simulator serves every segment of an artifact: the DRAM image of the weights is
 * written once, when the first segment opens. Each node runs its {@code decode_b1} program for a
 * one-row step (the warm variant right after its predecessor in the {@link DecodeChain}, which left its
 * first weight chunk in the scratchpad), its {@code decode_b4} program for two to four rows (padded to
 * four) and its {@code prefill_c128} program per 128 rows otherwise (the last chunk padded with
 * zero rows, whose outputs are dropped); values cross through the {@code x}, {@code r} and {@code y}
 * symbols. Each executable adds up the simulated cycles of its own runs ({@link #simulated()}).
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
        final java.util.Set<Integer> tracks = new java.util.HashSet<>();
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
    /** Nodes some node of the graph reads. */
    private final java.util.Set<Integer> read = new java.util.HashSet<>();

    NpuGraphExecutable(Bundle b, Graph graph, String deviceOverride) {
        this(b, graph, deviceOverride, null);
    }

    /** With {@code trace}, the shared simulator's timed runs are written there as one timeline when the last user closes. */
    NpuGraphExecutable(Bundle b, Graph graph, String deviceOverride, String trace) {
        this.graph = graph;
        for (Node n : graph.nodes()) for (int in : n.inputs()) read.add(in);
        this.bundle = b;
        for (Node n : graph.nodes()) {
            if (n.op() != Op.INPUT && n.op() != Op.PARAM && n.op() != Op.MATMUL && n.op() != Op.RMS_NORM_MATMUL && n.op() != Op.MATMUL_SWIGLU) {
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
            if (graph.has(id) && graph.node(id).op() != Op.INPUT) bytes += n.path("bytes").asLong();
        }
        weightBytes = bytes;
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
        for (Node n : graph.graphInputs()) {
            Tensor t = inputs.get(n.name());
            if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
            values.put(n.id(), t);
        }
        for (Node n : graph.nodes()) {
            if (n.op() == Op.INPUT || n.op() == Op.PARAM) continue;
            if (lastRow && rowWiseOutput(n)) {
                Tensor x = values.get(n.input(0));
                if (x.rank() == 2 && x.rows() > 1) {
                    values.put(n.input(0), Tensor.f32(x.row(x.rows() - 1), 1, x.width()));
                    values.put(n.id(), node(n, values));
                    values.put(n.input(0), x);
                    continue;
                }
            }
            values.put(n.id(), node(n, values));
        }
        return graph.outputs().stream().map(values::get).toList();
    }

    private boolean rowWiseOutput(Node n) {
        return (n.op() == Op.MATMUL || n.op() == Op.RMS_NORM_MATMUL) && Epilogue.of(n).isEmpty() && !read.contains(n.id()) && graph.outputs().contains(n.id());
    }

    private Tensor node(Node n, Map<Integer, Tensor> values) {
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
            // Set before the run: a failed run leaves the scratchpad unknown, which no later program then trusts.
            shared.last = null;
            for (int r0 = 0; r0 < rows; r0 += bucket) {
                int m = Math.min(bucket, rows - r0);
                sim.write("x", 0, floats(x.floats(), r0 * k, m * k, bucket * k));
                if (res != null) sim.write("r", 0, floats(res.floats(), r0 * outWidth, m * outWidth, bucket * outWidth));
                if (pos != null) {
                    float[] table = ropeTable(pos.ints(), r0, m, bucket, e.rope());
                    sim.write("rope", 0, floats(table, 0, table.length, table.length));
                }
                double c = sim.run(true).cycles();
                cycles += c;
                shared.record((warm ? NpuTarget.warmProgram(n.id()) : name).substring(NpuTarget.DIR.length()), c / (clockGhz * 1000));
                ByteBuffer out = ByteBuffer.wrap(sim.read("y", 0, 4 * bucket * outWidth)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < m * outWidth; i++) y[r0 * outWidth + i] = out.getFloat(4 * i);
            }
            shared.last = name;
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = outWidth;
        return Tensor.f32(y, shape);
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
