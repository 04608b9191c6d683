package axc.target.cuda;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.bundle.BundleWriter;
import axc.errors.CompileFailedException;
import axc.interp.StepSession;
import axc.ir.Dim;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.text.AxirParser;
import axc.formats.hf.ModelConfig;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cuda target. Compiling lowers the graph to specialisations of the kernel templates in
 * {@code axc_kernels.cuh} ({@link KernelPlan}), writes their CUDA C ({@value #SOURCE}) and, where nvcc
 * is installed, one fatbin for {@link Nvcc#ARCHS} plus PTX ({@value #FATBIN}) with ptxas's resource
 * report ({@value #PTXAS}); Q8_0/Q4_0 matrices are packed for aligned loads ({@link CudaLayouts}).
 * Nodes whose weights the kernels do not decode are refused and run on the cpu target. Loading needs
 * the CUDA driver ({@link CudaDriver}); without one the artifact is refused with exit 6.
 */
public final class CudaTarget implements Target {
    static final String SOURCE = "code/kernels.cu";
    static final String FATBIN = "code/kernels.fatbin";
    static final String PTXAS = "code/ptxas.txt";

    private final TargetOptions options;

    CudaTarget(TargetOptions options) {
        this.options = options;
    }

    @Override
    public TargetInfo info() {
        // Recorded in every artifact's manifest, so nothing about this machine (whether nvcc is here) goes in.
        return new TargetInfo("cuda", "generated CUDA kernels (GEMV with fused dequantization, tensor-core GEMM for f16/bf16 prefill,"
                + " split-K attention), sm_" + String.join("/sm_", Nvcc.ARCHS.stream().map(String::valueOf).toList())
                + " + PTX built by nvcc where installed, else CUDA C for NVRTC",
                TargetProvider.API_VERSION, KernelPlan.FORMATS.stream().map(d -> d.name().toLowerCase(Locale.ROOT)).sorted().toList(), List.of("all"));
    }

    /** nvcc, unless {@code AXC_NVCC=none} (or {@code -Daxc.cuda.nvcc=none}) asks for the source-only (NVRTC) artifact. */
    static Optional<Nvcc> nvcc() {
        String choice = System.getProperty("axc.cuda.nvcc", System.getenv("AXC_NVCC"));
        return "none".equals(choice) ? Optional.empty() : Nvcc.find();
    }

    /** From the node alone: its weight scheme and attributes; {@link #supports(Graph, Node)} adds the weights' shapes. */
    @Override
    public Support supports(Node node) {
        return KernelPlan.support(null, node);
    }

    /** With the graph, the weights' row lengths too (the kernels load rows in 16-byte pieces of whole 32-element blocks). */
    @Override
    public Support supports(Graph graph, Node node) {
        return KernelPlan.support(graph, node);
    }

    @Override
    public void compile(Graph g, CompileContext ctx, BundleWriter out) {
        KernelPlan plan;
        try {
            plan = KernelPlan.of(g);
        } catch (IllegalArgumentException e) {
            throw new CompileFailedException("cuda: " + e.getMessage());
        }
        String source = KernelSource.render(plan.specs());
        out.add(SOURCE, source.getBytes(StandardCharsets.UTF_8));
        Optional<KernelCache> cache = KernelCache.configured();
        Optional<Nvcc.Result> built = cache.flatMap(c -> c.find(source));
        if (built.isEmpty()) {
            built = nvcc().map(n -> n.compile(source));
            built.ifPresent(r -> cache.ifPresent(c -> c.put(source, r)));
        }
        built.ifPresent(r -> {
            out.add(FATBIN, r.fatbin());
            out.add(PTXAS, r.report().text().getBytes(StandardCharsets.UTF_8));
        });
        BundleTensors.writeAll(ctx.tensors(), out, CudaLayouts::layout);
    }

    @Override
    public Executable load(Bundle b) {
        CudaDriver.require();
        ModelConfig config = ArtifactConfig.read(b);
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        long weightBytes = new Weights(BundleTensors.open(b), config, b.path()).matrixBytes();
        return new CudaModel(new CudaGraphExecutable(b, g), config, weightBytes);
    }

    @Override
    public GraphExecutable loadGraph(Bundle b) {
        CudaDriver.require();
        return new CudaGraphExecutable(b, AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8)));
    }

    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        CudaDriver.require();
        return new CudaGraphExecutable(b, segment);
    }

    /** A language model on the GPU: steps of its graph through {@link StepSession}. */
    record CudaModel(CudaGraphExecutable exe, ModelConfig config, long weightBytesPerToken) implements Executable {
        @Override
        public int vocabRows() {
            Node out = exe.graph().node(exe.graph().outputs().getFirst());
            return (int) ((Dim.Fixed) out.type().last()).size();
        }

        @Override
        public Session newSession(int capacity) {
            GraphExecutable.Session s = exe.newSession(capacity);
            return new StepSession(capacity, s::run);
        }

        @Override
        public String backend() {
            return "cuda on " + exe.device();
        }

        /** Decode streams the weights from device memory: its roofline is the device's copy bandwidth. */
        @Override
        public java.util.OptionalDouble memoryBandwidthGbPerS(long bytes) {
            return java.util.OptionalDouble.of(exe.memoryGbPerS(bytes));
        }

        @Override
        public void close() {
            exe.close();
        }
    }
}
