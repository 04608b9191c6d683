package axc.target.cpu;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.formats.hf.ModelConfig;
import axc.formats.io.SegmentIo;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.interp.InterpretedModel;
import axc.interp.Interpreter;
import axc.interp.StoredParams;
import axc.interp.WeightsParams;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.WeightScheme;
import axc.ir.text.AxirParser;
import axc.model.LanguageModel;
import axc.reference.Weights;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.GraphExecutable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.reference.ArtifactConfig;
import axc.target.reference.InterpretedGraph;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The cpu target: the artifact holds the graph and the weights, Q8_0 and Q4_0 matrices packed by row
 * for the kernels ({@link PackedRows}); loading runs the graph with the interpreter's op semantics but
 * the matrix products of F32, BF16, F16, Q8_0 and Q4_0 weights on {@link NativeKernels} (AVX-512 /
 * AVX2 / portable C, int8 activations with VNNI per {@link Activations}), or on {@link VectorKernels}
 * where the native library does not load; Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K as stored, int8
 * channels and 4-bit grouped (GPTQ layout) matrices on the native kernels where they load, output rows over {@link TargetOptions#threads()} threads. Every other scheme the reference runs is accepted and computed by the interpreter's scalar
 * decoders, so any model compiles; {@link #supports} names the path a matmul takes.
 */
public final class CpuTarget implements Target {
    private final TargetOptions options;

    public CpuTarget(TargetOptions options) {
        this.options = options;
    }

    /** Fast-pathed schemes first; the rest run on the interpreter's kernels. */
    static final List<String> SCHEMES = List.of("f32", "f16", "bf16", "q8_0", "q4_0",
            "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "gptq-int4", "int8", "w8a8");

    /** The activation mode: the target option {@code activations}, else {@link Activations#configured()}. */
    Activations activations() {
        String v = options.settings() == null ? null : options.settings().get("activations");
        return v != null ? Activations.parse(v) : Activations.configured();
    }

    /** Where the kernels read weights: the {@code weights} setting, else {@link WeightMemory#configured}. */
    WeightMemory.Mode weights() {
        String v = options.settings() == null ? null : options.settings().get("weights");
        return v != null ? WeightMemory.parse(v) : WeightMemory.configured();
    }

    @Override
    public TargetInfo info() {
        String kernels = NativeKernels.available()
                ? "native " + NativeKernels.levelName(NativeKernels.axc_cpu_level()) + " kernels (" + activations().name().toLowerCase()
                  + " activations for the block types)"
                : "Java Vector API kernels (" + Lanes.LENGTH * 32 + "-bit float32 lanes; " + NativeKernels.unavailableReason() + ")";
        String blocks = NativeKernels.available() ? ", q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, int8, w8a8, gptq-int4 (groups in order)" : "";
        return new TargetInfo("cpu", kernels + ", " + options.threads() + " thread(s) for f32, f16, bf16, q8_0, q4_0" + blocks + " matmuls;"
                + " other schemes on the interpreter's kernels",
                TargetProvider.API_VERSION, SCHEMES, List.of("all"));
    }

    /** Whether matmuls reading {@code s} run on the target's kernels (vector or native) here. */
    public static boolean vectorized(WeightScheme s) {
        return s instanceof WeightScheme.Stored st && CpuMatrix.runs(st.dtype());
    }

    /**
     * Every op and every scheme the interpreter runs is supported (quantized block matrices need
     * columns in whole 32-element blocks, as their storage does); schemes outside
     * {@link CpuMatrix#runs} take the scalar path.
     */
    @Override
    public Support supports(Node node) {
        return Support.yes();
    }

    /** Weights as the kernels stream them: Q8_0 and Q4_0 matrices in {@link PackedRows}' layouts, the rest as stored. */
    @Override
    public void compile(Graph g, CompileContext ctx, axc.bundle.BundleWriter out) {
        BundleTensors.writeAll(ctx.tensors(), out, CpuTarget::layout);
    }

    static BundleTensors.Layout layout(TensorInfo t, TensorStore store) {
        String layout = PackedRows.layoutFor(t.dtype(), t.shape());
        if (layout == null) return null;
        boolean by16 = layout.equals(PackedRows.LAYOUT16);
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        long rowBytes = t.dtype().bytesFor(cols);
        return new BundleTensors.Layout(layout, ch -> {
            // A few MiB of rows at a time (whole 16-row groups): packing never holds a whole matrix.
            int step = (int) Math.max(16, Math.min(rows, (4L << 20) / rowBytes)) / 16 * 16;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(rowBytes * step, 64);
                MemorySegment src = store.data(t.name());
                for (int r = 0; r < rows; r += step) {
                    int n = Math.min(step, rows - r);
                    if (by16) PackedRows.pack16(t.dtype(), cols, src, r, n, buf);
                    else PackedRows.pack(t.dtype(), cols, src, r, n, buf);
                    SegmentIo.write(ch, buf.asSlice(0, rowBytes * n));
                }
            }
        });
    }

    @Override
    public Executable load(Bundle b) {
        ModelConfig config = ArtifactConfig.read(b);
        BundleTensors tensors = BundleTensors.open(b);
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        Weights w = new Weights(tensors, config, b.path());
        RowPool pool = new RowPool(options.threads());
        InterpretedModel m = new InterpretedModel(g, config, new CpuParams(new WeightsParams(w), tensors, pool, activations(), weights()), w.matrixBytes());
        return new CpuExecutable(m, pool);
    }

    @Override
    public GraphExecutable loadGraph(Bundle b) {
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        BundleTensors tensors = BundleTensors.open(b);
        RowPool pool = new RowPool(options.threads());
        return new InterpretedGraph(new Interpreter(g, new CpuParams(new StoredParams(tensors), tensors, pool, activations(), weights())), pool::close);
    }

    /**
     * A segment of a partitioned model artifact (target API 3), on the same kernels as {@link #load}:
     * how the cpu target runs what another target refused. The segments this target loads share one
     * thread pool (a model may have a segment per layer), stopped when the last of them closes.
     */
    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        BundleTensors tensors = BundleTensors.open(b);
        RowPool pool = segmentPool();
        Interpreter interpreter;
        try {
            interpreter = new Interpreter(segment, new CpuParams(new WeightsParams(new Weights(tensors, ArtifactConfig.read(b), b.path())), tensors, pool, activations(), weights()));
        } catch (RuntimeException e) {
            releaseSegmentPool();
            throw e;
        }
        return new InterpretedGraph(interpreter, this::releaseSegmentPool);
    }

    private RowPool segmentPool;
    private int segmentsOpen;

    private synchronized RowPool segmentPool() {
        if (segmentsOpen++ == 0) segmentPool = new RowPool(options.threads());
        return segmentPool;
    }

    private synchronized void releaseSegmentPool() {
        if (--segmentsOpen == 0) segmentPool.close();
    }

    /** A model on the cpu kernels; closing stops its threads (the weights belong to the bundle). */
    record CpuExecutable(InterpretedModel model, RowPool pool) implements Executable {
        @Override
        public ModelConfig config() {
            return model.config();
        }

        @Override
        public int vocabRows() {
            return model.vocabRows();
        }

        @Override
        public LanguageModel.Session newSession(int capacity) {
            return model.newSession(capacity);
        }

        @Override
        public long weightBytesPerToken() {
            return model.weightBytesPerToken();
        }

        @Override
        public String backend() {
            return "cpu";
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
