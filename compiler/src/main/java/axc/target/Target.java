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

    /**
     * As {@link #supports(Node)}, with the graph the node is in, for answers that depend on its
     * operands (a weight's row length, which the node's own type does not show). Partitioning and the
     * conformance kit ask this one. Default: the node alone.
     */
    default Support supports(Graph graph, Node node) {
        return supports(node);
    }

    default List<FusionPattern> fusionPatterns() {
        return List.of();
    }

    default List<Pass> loweringPasses() {
        return List.of();
    }

    /**
     * Writes the target's entries for the (optimized) graph into the artifact being built. When the
     * artifact is partitioned (API 3), {@code g} is this target's part: the nodes it runs, cut out of
     * the graph with the values it receives from the other target as {@code input} nodes named
     * {@code %<id>}, and {@code ctx.tensors()} holds at least the tensors the part's params read.
     */
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

    /**
     * Loads one segment of a partitioned artifact (API 3): a maximal run of consecutive nodes this
     * target runs. {@code segment} is a verified graph whose nodes keep their ids from the artifact's
     * {@code graph.axir}; its {@code input} nodes are the graph's own inputs and the values other
     * segments computed (named {@code %<id>}), its outputs the values later segments or the graph's
     * outputs need. {@code b} is the artifact as this target wrote it: the artifact itself for its
     * own target, {@link Bundle#part} for the second (cpu) target. The host runs the segments in
     * order and passes float32/int32 tensors between them; each session keeps the KV cache of the
     * segment's {@code attention} nodes. Default: refuses, so an API 2 target still compiles and
     * runs artifacts that are not partitioned.
     */
    default GraphExecutable loadSegment(Bundle b, Graph segment) {
        throw new UnsupportedFeatureException("target " + info().id() + " cannot run part of a graph (Target.loadSegment, target API 3)");
    }
}
