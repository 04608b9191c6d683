package axc.target;

import axc.bundle.Bundle;
import axc.bundle.BundleWriter;
import axc.errors.CompileFailedException;
import axc.errors.UnsupportedFeatureException;
import axc.ir.Graph;
import axc.ir.Node;
import axc.pass.Pass;

import java.util.List;

/**
 * A backend: says which nodes it runs, contributes fusion patterns and lowering passes to the shared
 * pipeline, writes its part of the artifact ({@code weights/}, {@code code/}), and loads an artifact
 * into an {@link Executable}. The shared pipeline has no {@code if (target == ...)}: everything
 * target-specific comes through this interface.
 */
public interface Target {
    TargetInfo info();

    Support supports(Node node);

    default List<FusionPattern> fusionPatterns() {
        return List.of();
    }

    default List<Pass> loweringPasses() {
        return List.of();
    }

    /** Writes the target's entries for the (optimized) graph into the artifact being built. */
    void compile(Graph g, CompileContext ctx, BundleWriter out) throws CompileFailedException;

    /** Loads an artifact compiled from a model (config, tokenizer, golden vectors) as a language model. */
    Executable load(Bundle b);

    /**
     * Loads an artifact holding a bare graph (API 2): inputs and outputs as the graph declares them, no
     * model config ({@link CompileContext#config()} was null when it was compiled). The conformance
     * suite's op-level checks run through this; a target that does not override it cannot pass them.
     */
    default GraphExecutable loadGraph(Bundle b) {
        throw new UnsupportedFeatureException("target " + info().id() + " does not load graph artifacts (Target.loadGraph, target API 2)");
    }
}
