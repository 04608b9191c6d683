package axc.target.npu;

import axc.bundle.Bundle;
import axc.compile.ArtifactCompiler;
import axc.examples.ExampleModels;
import axc.formats.json.Json;
import axc.interp.Tensor;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.text.AxirParser;
import axc.partition.Partition;
import axc.progress.Progress;
import axc.target.CompileOptions;
import axc.target.GraphExecutable;
import axc.target.TargetOptions;
import axc.target.cpu.CpuTargetProvider;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole programs (NPU.md B5, level 2): every npu segment of the trained model's artifacts (BF16 ->
 * W8A8, Q4_0 -> W4A8), run on the simulator for two decode steps (1 row; the chained programs run warm,
 * reading the first weight chunk their predecessor prefetched), three rows (the {@code decode_b4}
 * program, padded) and a prefill of two 128-row chunks, the second padded (130 rows; each engine normalizes and quantizes its share of the rows, and the codes are gathered through shared memory), equals {@link NpuReference} (and the attention nodes {@link NpuAttention#reference}, over one KV cache run after run) bit for bit; and the same artifact on another
 * device (16 engines instead of 8, other widths and bandwidth) gives the same bits.
 */
class NpuProgramsTest {
    @TempDir
    static Path tmp;
    /** The trained model in BF16 (W8A8 on the device) and quantized to Q4_0 (W4A8). */
    static Path w8, w4;
    /** W8A8 for a device of one engine (no gather: the engine stages all 128 rows in 64-row slices), and another device of one engine. */
    static Path w8One, oneEngine, oneEngineFaster;

    @BeforeAll
    static void compile() {
        Path model = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
        Path q4 = tmp.resolve("q4.gguf");
        axc.quant.Quantization.run(model, q4, axc.quant.recipe.Presets.find("q4_0").orElseThrow(), null, false, false, Progress.SILENT);
        w8 = tmp.resolve("w8.axc");
        w4 = tmp.resolve("w4.axc");
        w8One = tmp.resolve("w8-one-engine.axc");
        oneEngine = tmp.resolve("one-engine.json");
        oneEngineFaster = tmp.resolve("one-engine-faster.json");
        try {
            java.nio.file.Files.writeString(oneEngine, "{\"preset\": \"atom\", \"engines\": 1}");
            java.nio.file.Files.writeString(oneEngineFaster, "{\"preset\": \"atom\", \"engines\": 1, \"clock_ghz\": 1.5, \"dram\": {\"GBps\": 512}}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (Object[] io : new Object[][]{{model, w8, null}, {q4, w4, null}, {model, w8One, oneEngine.toString()}}) {
            ArtifactCompiler.compile((Path) io[0], new NpuTargetProvider(), Optional.of(new CpuTargetProvider()), new TargetOptions(1, (String) io[2], Map.of()),
                    new CompileOptions(null, "axc-tiny-py"), (Path) io[1], null, Progress.SILENT);
        }
    }

    @Test
    void everyW8a8SegmentMatchesTheMirrorAndDoesNotDependOnTheDevice() {
        check(w8, false);
    }

    @Test
    void everyW4a8SegmentMatchesTheMirrorAndDoesNotDependOnTheDevice() {
        check(w4, true);
    }

    @Test
    void aHandOffWhoseReaderIsInAnotherSegmentIsRefusedAtLoad() {
        try (Bundle b = Bundle.open(w8)) {
            Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
            int a = -1;
            for (JsonNode n : Json.parse(b.bytes(NpuTarget.PLAN), "plan").path("nodes")) {
                if (n.path("y_to_shm").asBoolean()) {
                    a = n.path("node").asInt();
                    break;
                }
            }
            assertTrue(a >= 0, "the artifact hands an output on");
            // The node alone in a segment: its reader, which takes the value from shared memory, runs elsewhere.
            List<Integer> ins = new ArrayList<>();
            for (int in : g.node(a).inputs()) if (g.node(in).op() != axc.ir.Op.PARAM) ins.add(in);
            Graph cut = new axc.partition.Segment("npu", List.of(a), ins, List.of(a)).graph(g, "cut");
            axc.errors.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(axc.errors.InvalidInputException.class,
                    () -> new NpuGraphExecutable(b, cut, null).close());
            assertTrue(e.getMessage().contains("shared memory"), e.getMessage());
        }
    }

    @Test
    void oneEngineStagesItsRowsInSlicesWithTheSameBits() {
        check(w8One, false, oneEngineFaster.toString());
    }

    /** Random activations for a segment's inputs; positions from 5 for a prompt, 40 (+ seed) for a decode row. */
    static Map<String, Tensor> inputs(Graph cut, int rows, long seed) {
        Map<String, Tensor> inputs = new HashMap<>();
        Random r = new Random(rows * 31L + seed);
        for (Node in : cut.graphInputs()) {
            if (in.type().dtype() == axc.ir.DataType.I32) {
                int[] positions = new int[rows];
                for (int j = 0; j < rows; j++) positions[j] = rows == 1 ? 40 + (int) (seed / 1000) : 5 + j;
                inputs.put(in.name(), Tensor.i32(positions, rows));
                continue;
            }
            int w = (int) NpuMatmul.fixed(in.type().last());
            float[] v = new float[rows * w];
            for (int j = 0; j < v.length; j++) v[j] = (float) r.nextGaussian();
            inputs.put(in.name(), Tensor.f32(v, rows, w));
        }
        return inputs;
    }

    /**
     * An attention node through the mirror as the runtime runs it: chunks of the prefill's rows, each
     * padded to its row bucket, over the smallest key bucket that covers it.
     */
    static Tensor attention(NpuAttention att, short[] cache, Node n, Map<Integer, Tensor> values, JsonNode plan) {
        Tensor q = values.get(n.input(0)), k = values.get(n.input(1)), v = values.get(n.input(2));
        int[] pos = values.get(n.input(3)).ints();
        int rows = q.rows(), qw = q.width(), kw = k.width(), chunk = plan.path("chunk_rows").asInt(), small = plan.path("small_rows").asInt();
        float[] y = new float[rows * qw];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int m = Math.min(chunk, rows - r0), bucket = m == 1 ? 1 : m <= small ? small : chunk;
            float[] qp = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(q.floats(), r0 * qw, (r0 + m) * qw), bucket * qw);
            float[] kp = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(k.floats(), r0 * kw, (r0 + m) * kw), bucket * kw);
            float[] vp = java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(v.floats(), r0 * kw, (r0 + m) * kw), bucket * kw);
            float[] out = att.reference(cache, n.attrs().getInt("layer"), pos[r0], bucket, att.keysFor(pos[r0] + bucket), qp, kp, vp);
            System.arraycopy(out, 0, y, r0 * qw, m * qw);
        }
        return Tensor.f32(y, q.shape());
    }

    static void check(Path artifact, boolean int4) {
        check(artifact, int4, "rebel-chiplet");
    }

    /** The artifact's segments on its own device and on {@code other}, against the mirror. */
    static void check(Path artifact, boolean int4, String other) {
        try (Bundle b = Bundle.open(artifact)) {
            Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
            Partition p = Partition.read(b, g);
            JsonNode plan = Json.parse(b.bytes(NpuTarget.PLAN), "plan");
            JsonNode device = Json.parse(b.bytes(NpuTarget.DEVICE), "device");
            Map<Integer, Long> dram = new HashMap<>();
            int handoffs = 0;
            for (JsonNode n : plan.path("nodes")) {
                if (n.path("y_to_shm").asBoolean()) handoffs++;
                dram.put(n.path("node").asInt(), n.path("dram").asLong());
                // The 130-row prefill splits each chunk's rows over the engines and gathers their codes
                // through shared memory, or, on one engine, stages them in slices: both are what is checked.
                int share = n.path("prefill_rows_per_engine").asInt(), slice = n.path("prefill_slice").asInt();
                assertTrue(share < plan.path("chunk_rows").asInt() || slice < share, "node " + n.path("node") + " splits or slices its rows: " + n);
            }
            // Each layer's gate and up hand their output to the down projection through shared memory.
            assertTrue(handoffs >= 4, "nodes handing their output on in shared memory: " + handoffs);
            var image = b.data(NpuTarget.WEIGHTS);
            int checked = 0, ropes = 0, w4Nodes = 0, w4Normed = 0, attentions = 0, views = 0, norms = 0;
            JsonNode a = plan.path("attention");
            NpuAttention att = new NpuAttention(a.path("heads").asInt(), a.path("kv_heads").asInt(), a.path("head_dim").asInt(), a.path("layers").asInt(),
                    device.path("engines").asInt(), device.path("spm").path("bytes").asLong());
            List<Integer> npu = new ArrayList<>();
            for (int i = 0; i < p.segments().size(); i++) if (p.segments().get(i).target().equals("npu")) npu.add(i);
            int warm = 0;
            for (int rows : new int[]{1, 3, 130}) {
                // Every npu segment open at once, as a model runs them: one simulator, programs in graph order,
                // so decode steps take the chain (DecodeChain); two steps, the second wholly warm but the first program.
                int steps = rows == 1 ? 2 : 1;
                List<Map<String, Tensor>> inputs = new ArrayList<>();
                for (int s = 0; s < steps; s++) for (int i : npu) inputs.add(inputs(p.segmentGraph(g, i), rows, s * 1000 + i));
                List<List<List<Tensor>>> results = new ArrayList<>();
                for (String dev : new String[]{null, other}) {
                    List<NpuGraphExecutable> exes = new ArrayList<>();
                    try {
                        for (int i : npu) exes.add(new NpuGraphExecutable(b, p.segmentGraph(g, i), dev));
                        List<List<Tensor>> outs = new ArrayList<>();
                        for (int s = 0; s < steps; s++) {
                            for (int j = 0; j < npu.size(); j++) outs.add(exes.get(j).newSession(128).run(inputs.get(s * npu.size() + j)));
                        }
                        results.add(outs);
                        for (NpuGraphExecutable x : exes) warm += x.warmRuns;
                    } finally {
                        for (NpuGraphExecutable x : exes) x.close();
                    }
                }
                // The mirror's KV cache: each row count starts on fresh simulators, so with an empty one.
                short[] cache = new short[(int) att.cacheBytes()];
                for (int s = 0; s < steps; s++) {
                    for (int j = 0; j < npu.size(); j++) {
                        int i = npu.get(j);
                        Graph cut = p.segmentGraph(g, i);
                        Map<String, Tensor> in = inputs.get(s * npu.size() + j);
                        // The mirror, node by node through the segment.
                        Map<Integer, Tensor> values = new HashMap<>();
                        for (Node n : cut.graphInputs()) values.put(n.id(), in.get(n.name()));
                        for (Node n : cut.nodes()) {
                            if (n.op() == axc.ir.Op.INPUT || n.op() == axc.ir.Op.PARAM) continue;
                            if (n.op() == axc.ir.Op.SLICE) {
                                Tensor x = values.get(n.input(0));
                                int start = n.attrs().getInt("start"), size = n.attrs().getInt("size");
                                float[] cols = new float[x.rows() * size];
                                for (int r = 0; r < x.rows(); r++) System.arraycopy(x.floats(), r * x.width() + start, cols, r * size, size);
                                values.put(n.id(), Tensor.f32(cols, x.rows(), size));
                                if (s == 0) views++;
                                continue;
                            }
                            if (n.op() == axc.ir.Op.RMS_NORM) {
                                Tensor x = values.get(n.input(0));
                                float[] gw = new float[x.width()];
                                for (int t = 0; t < gw.length; t++) gw[t] = image.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), dram.get(n.id()) + 4L * t);
                                values.put(n.id(), Tensor.f32(NpuSemantics.rmsnorm(x.floats(), x.width(), x.rows(), gw, (float) n.attrs().getDouble("eps")), x.shape()));
                                if (s == 0) norms++;
                                continue;
                            }
                            if (n.op() == axc.ir.Op.ATTENTION) {
                                values.put(n.id(), attention(att, cache, n, values, plan));
                                if (s == 0) attentions++;
                                continue;
                            }
                            NpuMatmul m = new NpuMatmul(cut, n, device.path("engines").asInt(), device.path("spm").path("bytes").asLong());
                            if (s == 0) w4Nodes += m.int4 ? 1 : 0;
                            if (s == 0 && m.int4 && m.norm) w4Normed++;
                            m.dramBase = dram.get(n.id());
                            Epilogue e = Epilogue.of(n);
                            Tensor res = e.residual() ? values.get(n.input(e.residualInput(n.inputs().size()))) : null;
                            Tensor pos = e.rope() != null ? values.get(n.input(e.positionsInput(n.inputs().size()))) : null;
                            float eps = n.attrs().has("eps") ? (float) n.attrs().getDouble("eps") : 0f;
                            values.put(n.id(), NpuReference.run(m, image, values.get(n.input(0)), res, pos, eps));
                            if (s == 0 && e.rope() != null) ropes++;
                            if (s == 0) checked++;
                        }
                        for (int o = 0; o < cut.outputs().size(); o++) {
                            float[] want = values.get(cut.outputs().get(o)).floats();
                            for (int d = 0; d < 2; d++) {
                                float[] got = results.get(d).get(s * npu.size() + j).get(o).floats();
                                assertEquals(want.length, got.length);
                                for (int x = 0; x < want.length; x++) {
                                    assertEquals(Float.floatToRawIntBits(want[x]), Float.floatToRawIntBits(got[x]),
                                            "segment " + i + ", " + rows + " rows, step " + s + ", device " + d + ", output " + o + " [" + x + "]: " + want[x] + " vs " + got[x]);
                                }
                            }
                        }
                    }
                }
            }
            // Both devices, both steps: every decode program but the chain's first ran warm at least once.
            assertTrue(warm >= 2 * (npu.size() - 1), "warm decode programs run: " + warm + " of " + npu.size() + " segments");
            assertTrue(checked >= 3 * 9, "npu nodes checked: " + checked);
            assertTrue(ropes >= 3 * 4, "QKV projections with their RoPE epilogue checked: " + ropes);
            assertTrue(attentions >= 3 * 4, "attention nodes checked: " + attentions);
            // Each layer's attention reads its fused QKV projection's output in device DRAM: its slices are views.
            assertTrue(views >= 3 * 4 * 3, "q, k and v slices as views: " + views);
            // A quantized checkpoint's norms go into its matmul programs unfolded (the npu's lowering pass), not programs of their own.
            if (int4) assertTrue(w4Nodes >= 3 * 8 && w4Normed >= 3 * 8 && norms == 0, "W4A8 nodes checked: " + w4Nodes + ", with their norm: " + w4Normed + ", standalone norms: " + norms);
            else assertEquals(0, w4Nodes, "a BF16 checkpoint lowers to W8A8 only");
        }
    }
}
