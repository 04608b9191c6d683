package axc.example.scalar;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.bundle.BundleWriter;
import axc.errors.UnsupportedFeatureException;
import axc.interp.StoredParams;
import axc.interp.WeightsParams;
import axc.ir.Epilogue;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.text.AxirParser;
import axc.reference.Weights;
import axc.target.CompileContext;
import axc.target.Executable;
import axc.target.GraphExecutable;
import axc.target.Support;
import axc.target.Target;
import axc.target.TargetInfo;
import axc.target.TargetProvider;
import axc.target.reference.ArtifactConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A target that runs a handful of ops one element at a time in plain Java: the smallest complete
 * backend, for hardware teams to copy (docs/targets.md). It says which nodes it runs ({@link #supports});
 * the compiler gives the rest to the fallback target and partitions the artifact, so a model compiled
 * for it runs end to end from the first day, and each op it learns moves work onto it.
 */
public final class ScalarTarget implements Target {
    /**
     * The weight schemes it runs matmuls on. Weights are decoded to float32 at load, so any scheme the
     * interpreter decodes would do; these are the ones listed, so the conformance suite tests each.
     */
    private static final List<String> SCHEMES = List.of("f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k");

    @Override
    public TargetInfo info() {
        return new TargetInfo("scalar", "example out-of-tree target: element-wise ops, rms_norm and plain matmuls in scalar Java; the rest on cpu",
                TargetProvider.API_VERSION, SCHEMES, ScalarOps.names());
    }

    @Override
    public Support supports(Node node) {
        if (!ScalarOps.runs(node.op())) return Support.no("the scalar example has no kernel for " + node.op().spelling());
        // Fused epilogues (bias, rope, residual on a matmul) would need their own kernels: refused, so the
        // compiler keeps such a matmul on the fallback target.
        if (Epilogue.allowedOn(node.op()) && !Epilogue.of(node).isEmpty()) return Support.no("matmul epilogues are not implemented in the scalar example");
        return Support.yes();
    }

    /** The artifact's weights, as the checkpoint stores them; a real target would pack them for its kernels here. */
    @Override
    public void compile(Graph g, CompileContext ctx, BundleWriter out) {
        BundleTensors.copyAll(ctx.tensors(), out);
    }

    /** Whole models always have ops this target refuses (attention, rope), so they come partitioned and load by segment. */
    @Override
    public Executable load(Bundle b) {
        throw new UnsupportedFeatureException("scalar: runs part of a model only; the runner loads its artifacts by segment");
    }

    /** A bare graph (the conformance suite's op cases): params by their stored names. */
    @Override
    public GraphExecutable loadGraph(Bundle b) {
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        return new ScalarGraph(g, new StoredParams(BundleTensors.open(b)));
    }

    /** A segment of a model artifact: params by the model's tensor names (Hugging Face or GGUF). */
    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        Weights w = new Weights(BundleTensors.open(b), ArtifactConfig.read(b), b.path());
        return new ScalarGraph(segment, new WeightsParams(w));
    }
}
