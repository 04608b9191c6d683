package axc.target.reference;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.bundle.BundleWriter;
import axc.formats.hf.ModelConfig;
import axc.interp.InterpretedModel;
import axc.interp.Interpreter;
import axc.interp.StoredParams;
import axc.interp.WeightsParams;
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

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Compiles to the interpreter: the artifact holds the optimized graph and the weights exactly as the
 * checkpoint stores them (quantized or not); loading interprets the graph over the mapped weights.
 */
public final class ReferenceTarget implements Target {
    @Override
    public TargetInfo info() {
        return new TargetInfo("reference", "the axc reference interpreter (float32, float64 accumulation): exact, portable, slow",
                TargetProvider.API_VERSION, List.of("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k",
                "gptq-int4", "int8", "w8a8"), List.of("all"));
    }

    @Override
    public Support supports(Node node) {
        return Support.yes();
    }

    @Override
    public void compile(Graph g, CompileContext ctx, BundleWriter out) {
        BundleTensors.copyAll(ctx.tensors(), out);
    }

    @Override
    public Executable load(Bundle b) {
        ModelConfig config = ArtifactConfig.read(b);
        BundleTensors tensors = BundleTensors.open(b);
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        Weights w = new Weights(tensors, config, b.path());
        InterpretedModel m = new InterpretedModel(g, config, new WeightsParams(w), w.matrixBytes());
        return new InterpretedExecutable(m, "reference");
    }

    @Override
    public GraphExecutable loadGraph(Bundle b) {
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        return new InterpretedGraph(new Interpreter(g, new StoredParams(BundleTensors.open(b))));
    }

    /** A segment of a partitioned model artifact, interpreted over the weights as {@link #load} reads them. */
    @Override
    public GraphExecutable loadSegment(Bundle b, Graph segment) {
        Weights w = new Weights(BundleTensors.open(b), ArtifactConfig.read(b), b.path());
        return new InterpretedGraph(new Interpreter(segment, new WeightsParams(w)));
    }
}
