package axc.target.cuda;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;
import axc.formats.tensor.TensorInfo;
import axc.frontend.QwenFrontend;
import axc.interp.Tensor;
import axc.ir.DataType;
import axc.ir.Dim;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.reference.DecoderMath;
import axc.target.GraphExecutable;
import org.bytedeco.cuda.cudart.CUgraphExec_st;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph on the GPU: weights resident in device memory (matrices in the artifact's layout, vectors
 * such as norm weights and biases as float32), values in the slots of a {@link BufferPlan}, and each
 * node launched as {@link KernelPlan} lowered it, on one stream. A session owns its buffers and the
 * KV cache of every attention node; its one-row steps (decode) are captured once into a CUDA graph
 * and replayed, with the token and position uploaded into fixed buffers before each replay.
 */
final class CudaGraphExecutable implements GraphExecutable {
    private final Graph graph;
    private final CudaRuntime rt;
    private final KernelPlan plan;
    private final BufferPlan buffers;
    /** Device copies of params: matrices as stored/packed, vectors as float32. */
    private final Map<Integer, Long> params = new HashMap<>();
    /** Concatenated biases of bias_add nodes and epilogues, by node. */
    private final Map<Integer, Long> biases = new HashMap<>();
    /** Rotary inverse frequencies by head size and theta. */
    private final Map<String, Long> invFreq = new HashMap<>();

    CudaGraphExecutable(Bundle b, Graph graph) {
        this.graph = graph;
        this.plan = KernelPlan.of(graph);
        this.buffers = BufferPlan.of(graph);
        byte[] fatbin = b.contains(CudaTarget.FATBIN) ? b.bytes(CudaTarget.FATBIN) : null;
        this.rt = new CudaRuntime(fatbin, new String(b.bytes(CudaTarget.SOURCE), StandardCharsets.UTF_8));
        try {
            BundleTensors tensors = BundleTensors.open(b);
            Set<Integer> matrices = matrixParams(graph);
            for (Node n : graph.params()) {
                // Params carry Hugging Face names; a model converted from GGUF stores GGUF names.
                TensorInfo t = QwenFrontend.find(tensors, n.name()).orElseThrow(() -> new IllegalArgumentException("artifact has no tensor " + n.name()));
                if (matrices.contains(n.id())) {
                    if (CudaLayouts.packs(t.dtype(), t.shape()) && !tensors.layout(t.name()).map(CudaLayouts.ROWS::equals).orElse(false)) {
                        throw new IllegalArgumentException("tensor " + t.name() + " is not in the " + CudaLayouts.ROWS + " layout");
                    }
                    long p = rt.alloc(t.byteSize());
                    rt.upload(p, tensors.data(t.name()));
                    params.put(n.id(), p);
                } else {
                    float[] v = Dequantizer.dequantize(t.dtype(), tensors.data(t.name()), TensorInfo.elementCount(t.shape()));
                    long p = rt.alloc(4L * v.length);
                    rt.upload(p, v);
                    params.put(n.id(), p);
                }
            }
            for (Node n : graph.nodes()) prepare(n);
        } catch (RuntimeException e) {
            rt.close();
            throw e;
        }
    }

    String device() {
        return rt.device();
    }

    /** Device-to-device copy bandwidth now, in GB/s (read plus write). */
    double memoryGbPerS(long bytes) {
        return rt.copyGbPerS(bytes, 5);
    }

    /** Params some node reads as a weight matrix or embedding table (its scheme inputs, epilogue operands aside); the rest are vectors. */
    static Set<Integer> matrixParams(Graph g) {
        Set<Integer> ids = new HashSet<>();
        for (Node u : g.nodes()) {
            if (!u.op().readsWeights()) continue;
            int end = Epilogue.allowedOn(u.op()) ? Epilogue.baseInputs(u) : u.inputs().size();
            for (int i = 0; i < end; i++) if (u.op().isSchemeInput(i)) ids.add(u.input(i));
        }
        return ids;
    }

    /** Per-node constants: concatenated biases and RoPE frequency tables. */
    private void prepare(Node n) {
        Epilogue e = Epilogue.allowedOn(n.op()) ? Epilogue.of(n) : Epilogue.NONE;
        List<Integer> parts = new ArrayList<>();
        if (n.op() == Op.BIAS_ADD) parts.addAll(n.inputs().subList(1, n.inputs().size()));
        else if (e.biases() > 0) parts.addAll(n.inputs().subList(e.firstBias(n.inputs().size()), e.firstBias(n.inputs().size()) + e.biases()));
        if (!parts.isEmpty()) {
            long total = 0;
            for (int id : parts) total += BufferPlan.perRow(graph.node(id));
            long p = rt.alloc(4 * total);
            long at = 0;
            for (int id : parts) {
                long bytes = 4 * BufferPlan.perRow(graph.node(id));
                rt.copy(p + at, params.get(id), bytes);
                at += bytes;
            }
            rt.sync();
            biases.put(n.id(), p);
        }
        if (n.op() == Op.ROPE) freq(n.attrs().getInt("head_dim"), n.attrs().getDouble("theta"));
        if (e.rope() != null) freq(e.rope().headDim(), e.rope().theta());
    }

    private long freq(int headDim, double theta) {
        return invFreq.computeIfAbsent(headDim + "/" + theta, k -> {
            double[] f = DecoderMath.invFreq(theta, headDim);
            float[] v = new float[f.length];
            for (int i = 0; i < v.length; i++) v[i] = (float) f[i];
            long p = rt.alloc(4L * v.length);
            rt.upload(p, v);
            return p;
        });
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public Session newSession(int capacity) {
        return new CudaSession(capacity);
    }

    @Override
    public void close() {
        rt.close();
    }

    /** A session's device state: value slots and scratch for {@code capacity} rows, KV caches, the decode graph. */
    final class CudaSession implements Session {
        private final int capacity;
        private final long[] slots;
        private final long scratch;
        private final Map<Integer, long[]> kv = new HashMap<>();
        private final long partAcc;
        private final long partMl;
        private final int maxSplits;
        private CUgraphExec_st decode;
        /** The row count of the step being launched: at one row a slice is a view of its input, not a copy. */
        private int rowsNow = 1;
        /** The rms_norms its GEMV readers apply at that row count ({@link KernelPlan#deferredNorms}). */
        private Set<Integer> deferredNow = Set.of();

        CudaSession(int capacity) {
            this.capacity = capacity;
            slots = new long[buffers.slots()];
            for (int s = 0; s < slots.length; s++) slots[s] = rt.alloc(4 * buffers.slotElementsPerRow(s) * capacity);
            long scratchPerRow = 0, partPerRow = 0;
            maxSplits = LaunchShapes.attentionSplits(capacity - 1);
            for (Node n : graph.nodes()) {
                if (n.op() == Op.RMS_NORM_MATMUL) scratchPerRow = Math.max(scratchPerRow, BufferPlan.perRow(graph.node(n.input(0))));
                if (Epilogue.allowedOn(n.op()) && Epilogue.of(n).swiglu()) scratchPerRow = Math.max(scratchPerRow, 2 * BufferPlan.perRow(n));
                if (n.op() == Op.ATTENTION) {
                    int heads = n.attrs().getInt("heads"), d = n.attrs().getInt("head_dim"), kvDim = n.attrs().getInt("kv_heads") * d;
                    kv.put(n.id(), new long[]{rt.alloc(4L * kvDim * capacity), rt.alloc(4L * kvDim * capacity)});
                    partPerRow = Math.max(partPerRow, (long) heads * maxSplits * d);
                }
            }
            scratch = rt.alloc(4 * scratchPerRow * capacity * (scratchPerRow > 0 && hasBoth() ? 2 : 1));
            partAcc = rt.alloc(4 * partPerRow * capacity);
            partMl = rt.alloc(4 * 2 * (partPerRow == 0 ? 1 : partPerRow) * capacity);
        }

        /** A node both normalizes into scratch and needs the swiglu scratch: two halves. */
        private boolean hasBoth() {
            return graph.nodes().stream().anyMatch(n -> n.op() == Op.RMS_NORM_MATMUL && Epilogue.of(n).swiglu());
        }

        @Override
        public List<Tensor> run(Map<String, Tensor> inputs) {
            int rows = rowsOf(inputs);
            if (rows > capacity) throw new IllegalArgumentException(rows + " rows is past the session's capacity of " + capacity);
            rowsNow = rows;
            for (Node n : graph.graphInputs()) {
                Tensor t = inputs.get(n.name());
                if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
                long p = value(n.id());
                if (t.dtype() == DataType.I32) rt.upload(p, t.ints());
                else rt.upload(p, t.floats());
            }
            if (rows == 1) {
                // Decode: every launch's shape is fixed (attention covers all splits of the capacity), so one capture serves every step.
                if (decode == null) decode = rt.capture(() -> launchAll(1, maxSplits));
                rt.replay(decode);
            } else {
                launchAll(rows, maxSplitsOf(inputs, rows));
            }
            rt.sync();
            List<Tensor> out = new ArrayList<>();
            for (int o : graph.outputs()) {
                Node n = graph.node(o);
                int[] shape = shape(n, rows);
                int count = 1;
                for (int d : shape) count *= d;
                out.add(Tensor.f32(rt.downloadFloats(value(o), count), shape));
            }
            return out;
        }

        private int maxSplitsOf(Map<String, Tensor> inputs, int rows) {
            Tensor pos = inputs.get(axc.frontend.QwenFrontend.POSITIONS);
            if (pos == null || pos.ints() == null) return maxSplits;
            int max = 0;
            for (int p : pos.ints()) max = Math.max(max, p);
            if (max >= capacity) throw new IllegalArgumentException("position " + max + " is past the session's capacity of " + capacity);
            return LaunchShapes.attentionSplits(max);
        }

        private long value(int id) {
            Node n = graph.node(id);
            // One row's features [start, start + size) are contiguous: the slice is its input's memory.
            if (rowsNow == 1 && n.op() == Op.SLICE) return value(n.input(0)) + 4L * n.attrs().getInt("start");
            return slots[buffers.slot(id)];
        }

        private void launchAll(int rows, int splits) {
            deferredNow = KernelPlan.deferredNorms(graph, rows);
            for (Node n : graph.nodes()) launch(n, rows, splits);
        }

        private void launch(Node n, int rows, int splits) {
            long y = n.op() == Op.PARAM || n.op() == Op.INPUT ? 0 : value(n.id());
            long width = n.op() == Op.PARAM ? 0 : BufferPlan.perRow(n);
            long total = width * rows;
            switch (n.op()) {
                case INPUT, PARAM -> {
                }
                case EMBEDDING -> {
                    KernelSpec k = plan.specs(n).getFirst();
                    Node table = graph.node(n.input(0));
                    rt.launch(k.entry(), LaunchShapes.perRow(rows), params.get(table.id()), (int) KernelPlan.rows(table), value(n.input(1)), y);
                }
                case RMS_NORM -> {
                    if (!deferredNow.contains(n.id())) {
                        rt.launch(plan.specs(n).getFirst().entry(), LaunchShapes.rmsNorm(rows, 1),
                                value(n.input(0)), params.get(n.input(1)), y, (int) width, n.attrs().getDouble("eps"));
                    }
                }
                case HEAD_RMS_NORM -> rt.launch(plan.specs(n).getFirst().entry(), LaunchShapes.rmsNorm(rows, n.attrs().getInt("heads")),
                        value(n.input(0)), params.get(n.input(1)), y, (int) width, n.attrs().getDouble("eps"));
                case MATMUL, RMS_NORM_MATMUL -> matmul(n, rows, y, width);
                case MATMUL_SWIGLU -> {
                    KernelSpec k = plan.specs(n).getFirst();
                    Epilogue e = Epilogue.of(n);
                    long residual = e.residual() ? value(n.input(e.residualInput(n.inputs().size()))) : 0L;
                    GemvInput in = gemvInput(n);
                    rt.launch(k.entry(), LaunchShapes.gemv((int) width, rows), params.get(n.input(1)), params.get(n.input(2)), (int) width,
                            in.x, y, residual, in.normG, in.eps);
                }
                case BIAS_ADD -> rt.launch("axc_bias_add", LaunchShapes.elementwise(total), value(n.input(0)), biases.get(n.id()), y, (int) width, total);
                case ADD -> rt.launch("axc_add", LaunchShapes.elementwise(total), value(n.input(0)), value(n.input(1)), y, total);
                case MUL -> rt.launch("axc_mul", LaunchShapes.elementwise(total), value(n.input(0)), value(n.input(1)), y, total);
                case SILU -> rt.launch("axc_silu", LaunchShapes.elementwise(total), value(n.input(0)), y, total);
                case SWIGLU -> rt.launch("axc_swiglu", LaunchShapes.elementwise(total), value(n.input(0)), value(n.input(1)), y, total);
                case SLICE -> {
                    if (rows > 1) rt.launch("axc_slice", LaunchShapes.elementwise(total), value(n.input(0)), y,
                            (int) BufferPlan.perRow(graph.node(n.input(0))), n.attrs().getInt("start"), n.attrs().getInt("size"), total);
                }
                case ROPE -> {
                    rt.copy(y, value(n.input(0)), 4 * total);
                    int d = n.attrs().getInt("head_dim");
                    rt.launch(plan.specs(n).getFirst().entry(), LaunchShapes.perRow(rows), y, (int) width, n.attrs().getInt("heads"),
                            value(n.input(1)), freq(d, n.attrs().getDouble("theta")));
                }
                case ATTENTION -> attention(n, rows, splits, y);
            }
        }

        /** The x a GEMV reads and, when it normalizes on the way in, the norm's weight and epsilon. */
        private record GemvInput(long x, long normG, double eps) {
        }

        /** A GEMV node's x: its input, or that input's own input when the input is a deferred rms_norm. */
        private GemvInput gemvInput(Node n) {
            Node in = graph.node(n.input(0));
            if (deferredNow.contains(in.id())) return new GemvInput(value(in.input(0)), params.get(in.input(1)), in.attrs().getDouble("eps"));
            return new GemvInput(value(n.input(0)), 0L, 0.0);
        }

        private void matmul(Node n, int rows, long y, long width) {
            Epilogue e = Epilogue.of(n);
            boolean gemv = KernelPlan.gemvOnly(graph, n, rows);
            GemvInput in;
            if (n.op() != Op.RMS_NORM_MATMUL) {
                in = gemvInput(n);
            } else if (gemv) {
                in = new GemvInput(value(n.input(0)), params.get(n.input(1)), n.attrs().getDouble("eps"));
            } else {
                long k = BufferPlan.perRow(graph.node(n.input(0)));
                rt.launch(KernelSpec.of(KernelSpec.Template.RMS_NORM, (int) k).entry(), LaunchShapes.rmsNorm(rows, 1),
                        value(n.input(0)), params.get(n.input(1)), scratch, (int) k, n.attrs().getDouble("eps"));
                in = new GemvInput(scratch, 0L, 0.0);
            }
            long residual = e.residual() ? value(n.input(e.residualInput(n.inputs().size()))) : 0L;
            List<Node> ws = KernelPlan.weights(graph, n);
            if (gemv && KernelPlan.swigluGemv(n, ws)) {
                // Gate and up in one kernel: silu(x . g) * (x . u) (+ residual), no 2n-wide product.
                rt.launch(KernelSpec.of(KernelSpec.Template.GEMV_SWIGLU, KernelPlan.dtype(ws.get(0)), (int) KernelPlan.cols(ws.get(0))).entry(),
                        LaunchShapes.gemv((int) width, rows), params.get(ws.get(0).id()), params.get(ws.get(1).id()), (int) width,
                        in.x, y, residual, in.normG, in.eps);
                return;
            }
            // With a swiglu stage the product has 2n features: into the scratch's second half, then folded.
            long product = e.swiglu() ? scratch + (n.op() == Op.RMS_NORM_MATMUL ? 4L * BufferPlan.perRow(graph.node(n.input(0))) * capacity : 0) : y;
            int productWidth = (int) (e.swiglu() ? 2 * width : width);
            boolean fuseBias = gemv && e.biases() > 0 && !e.swiglu();
            boolean fuseResidual = e.residual() && !e.swiglu() && e.rope() == null && (e.biases() == 0 || fuseBias);
            long bias = e.biases() > 0 ? biases.get(n.id()) : 0L;
            int col0 = 0;
            for (int i = 0; i < ws.size(); ) {
                Node w = ws.get(i);
                int wn = (int) KernelPlan.rows(w), k = (int) KernelPlan.cols(w);
                DType dt = KernelPlan.dtype(w);
                if (LaunchShapes.useMma(dt, wn, k, rows)) {
                    rt.launch(KernelSpec.of(KernelSpec.Template.GEMM_MMA, dt, k).entry(), LaunchShapes.gemmMma(wn, rows),
                            params.get(w.id()), wn, in.x, rows, product, productWidth, col0, fuseResidual ? residual : 0L);
                    col0 += wn;
                    i++;
                    continue;
                }
                // Up to three weights of one format in one launch (q, k and v side by side).
                long[] wp = new long[3];
                int[] rowsOf = new int[3];
                int j = i, sum = 0;
                while (j < ws.size() && j - i < 3 && KernelPlan.dtype(ws.get(j)) == dt
                        && !LaunchShapes.useMma(dt, (int) KernelPlan.rows(ws.get(j)), k, rows)) {
                    wp[j - i] = params.get(ws.get(j).id());
                    rowsOf[j - i] = (int) KernelPlan.rows(ws.get(j));
                    sum += rowsOf[j - i];
                    j++;
                }
                rt.launch(KernelSpec.of(KernelSpec.Template.GEMV, dt, k).entry(), LaunchShapes.gemv(sum, rows),
                        wp[0], rowsOf[0], wp[1], rowsOf[1], wp[2], rowsOf[2], in.x, product, productWidth, col0,
                        fuseResidual ? residual : 0L, fuseBias ? bias + 4L * col0 : 0L, in.normG, in.eps);
                col0 += sum;
                i = j;
            }
            long total = width * rows;
            if (e.swiglu()) rt.launch("axc_swiglu_rows", LaunchShapes.elementwise(total), product, y, (int) width, total);
            if (e.biases() > 0 && !fuseBias) rt.launch("axc_bias_add", LaunchShapes.elementwise(total), y, bias, y, (int) width, total);
            if (e.rope() != null) {
                rt.launch(KernelSpec.of(KernelSpec.Template.ROPE, e.rope().headDim()).entry(), LaunchShapes.perRow(rows), y, (int) width,
                        e.rope().heads(), value(n.input(e.positionsInput(n.inputs().size()))), freq(e.rope().headDim(), e.rope().theta()));
            }
            if (e.residual() && !fuseResidual) rt.launch("axc_add", LaunchShapes.elementwise(total), y, residual, y, total);
        }

        private void attention(Node n, int rows, int splits, long y) {
            int heads = n.attrs().getInt("heads"), kvHeads = n.attrs().getInt("kv_heads"), d = n.attrs().getInt("head_dim");
            long[] cache = kv.get(n.id());
            long pos = value(n.input(3));
            rt.launch("axc_kv_write", LaunchShapes.perRow(rows), value(n.input(1)), value(n.input(2)), pos, cache[0], cache[1], kvHeads * d);
            List<KernelSpec> k = plan.specs(n);
            rt.launch(k.get(0).entry(), LaunchShapes.attentionSplit(heads, rows, splits), value(n.input(0)), cache[0], cache[1], pos,
                    heads, kvHeads, partAcc, partMl, splits);
            rt.launch(k.get(1).entry(), LaunchShapes.attentionMerge(heads, rows, d), partAcc, partMl, heads, splits, pos,
                    KernelSpec.ATTENTION_CHUNK, y);
        }
    }

    /** The step's row count: the size its inputs give the graph's symbolic dimension (1 when none has one). */
    private int rowsOf(Map<String, Tensor> inputs) {
        for (Node n : graph.graphInputs()) {
            Tensor t = inputs.get(n.name());
            if (t == null) continue;
            List<Dim> dims = n.type().shape();
            for (int i = 0; i < dims.size(); i++) if (dims.get(i) instanceof Dim.Sym) return t.shape()[i];
        }
        return 1;
    }

    private static int[] shape(Node n, int rows) {
        List<Dim> dims = n.type().shape();
        int[] s = new int[dims.size()];
        for (int i = 0; i < s.length; i++) s[i] = dims.get(i) instanceof Dim.Fixed f ? (int) f.size() : rows;
        return s;
    }
}
