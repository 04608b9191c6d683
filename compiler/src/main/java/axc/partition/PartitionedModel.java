package axc.partition;

import axc.bundle.Bundle;
import axc.bundle.BundleTensors;
import axc.errors.InvalidInputException;
import axc.formats.hf.ModelConfig;
import axc.interp.StepSession;
import axc.interp.Tensor;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.text.AxirParser;
import axc.reference.Weights;
import axc.target.Executable;
import axc.target.GraphExecutable;
import axc.target.Target;
import axc.target.reference.ArtifactConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partitioned artifact run across its two targets: each {@link Segment} is loaded by the target
 * that owns it ({@link Target#loadSegment}), and each step the host calls the segments in order,
 * handing every value a segment reads from the others to it as a host tensor. A session holds one
 * session per segment, so the KV cache of an {@code attention} node lives with the target that runs
 * it. What crosses between the targets is counted ({@link #crossed()}).
 */
public final class PartitionedModel implements Executable {
    private final ModelConfig config;
    private final Graph graph;
    private final Partition partition;
    private final List<Graph> cuts;
    private final List<GraphExecutable> parts;
    private final Map<Integer, String> producer = new HashMap<>();
    private final int vocabRows;
    private final long weightBytes;
    private Boundary crossed = Boundary.NONE;
    /** Nanoseconds the host spent in the segments no simulator times (see {@link #hostSeconds()}). */
    private long hostNanos;
    /**
     * Per segment, whether no other segment reads its outputs, so a step that wants the last row of
     * the model's outputs may run it for the last row ({@link GraphExecutable.Session#runLastRow}).
     */
    private final boolean[] lastRowOnly;
    /** Per segment, whether it runs on the host rather than a simulated device. */
    private final boolean[] onHost;

    private PartitionedModel(ModelConfig config, Graph graph, Partition partition, List<Graph> cuts, List<GraphExecutable> parts, long weightBytes) {
        this.config = config;
        this.graph = graph;
        this.partition = partition;
        this.cuts = cuts;
        this.parts = parts;
        this.weightBytes = weightBytes;
        this.vocabRows = (int) graph.node(graph.outputs().getFirst()).type().last().size();
        for (Partition.Placement p : partition.nodes()) producer.put(p.id(), p.target());
        Set<Integer> handedOn = new HashSet<>();
        for (Graph cut : cuts) for (Node n : cut.graphInputs()) handedOn.add(n.id());
        onHost = new boolean[parts.size()];
        for (int i = 0; i < parts.size(); i++) onHost[i] = parts.get(i).simulated() == null;
        lastRowOnly = new boolean[cuts.size()];
        for (int i = 0; i < cuts.size(); i++) lastRowOnly[i] = cuts.get(i).outputs().stream().noneMatch(handedOn::contains);
    }

    /**
     * Loads the partitioned artifact {@code b}: {@code target} is its own target, {@code fallback} the
     * one its {@value Partition#ENTRY} names, which reads its entries through {@link Bundle#part}.
     */
    public static PartitionedModel load(Bundle b, Target target, Target fallback) {
        Graph g = AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
        Partition p = Partition.read(b, g);
        if (!p.target().equals(target.info().id()) || !p.fallback().equals(fallback.info().id())) {
            throw InvalidInputException.of(b.path(), Partition.ENTRY + " splits the graph between " + p.target() + " and " + p.fallback()
                    + ", not " + target.info().id() + " and " + fallback.info().id());
        }
        ModelConfig config = ArtifactConfig.read(b);
        Bundle fallbackView = b.part(p.fallback());
        List<Graph> cuts = new ArrayList<>();
        List<GraphExecutable> parts = new ArrayList<>();
        try {
            for (int i = 0; i < p.segments().size(); i++) {
                Graph cut = p.segmentGraph(g, i);
                boolean own = p.segments().get(i).target().equals(p.target());
                cuts.add(cut);
                parts.add(own ? target.loadSegment(b, cut) : fallback.loadSegment(fallbackView, cut));
            }
        } catch (RuntimeException e) {
            parts.forEach(GraphExecutable::close);
            throw e;
        }
        // Weights read per token, as the artifact's target stores them (the reference and cpu targets keep the checkpoint's).
        long weightBytes = b.contains(BundleTensors.INDEX) ? new Weights(BundleTensors.open(b), config, b.path()).matrixBytes() : 0;
        return new PartitionedModel(config, g, p, cuts, parts, weightBytes);
    }

    public Partition partition() {
        return partition;
    }

    /** Values handed between the two targets, and their bytes, over every step run so far. */
    public synchronized Boundary crossed() {
        return crossed;
    }

    /**
     * Wall seconds the host has spent running the segments that no simulator times (on a partition with
     * a simulated device, its cpu segments), over every step run so far. With {@link #simulated()} it
     * gives a step's whole time on a host beside a real device: the two run one after the other.
     */
    public synchronized double hostSeconds() {
        return hostNanos / 1e9;
    }

    /** The simulated segments' clocks added up; null when no segment runs on a simulator. */
    @Override
    public axc.target.SimulatedClock simulated() {
        axc.target.SimulatedClock total = null;
        for (GraphExecutable p : parts) {
            axc.target.SimulatedClock c = p.simulated();
            if (c != null) total = total == null ? c : total.plus(c);
        }
        return total;
    }

    @Override
    public Session newSession(int capacity) {
        List<GraphExecutable.Session> sessions = new ArrayList<>();
        for (GraphExecutable p : parts) sessions.add(p.newSession(capacity));
        return new StepSession(capacity, inputs -> step(sessions, inputs, false), inputs -> step(sessions, inputs, true));
    }

    /**
     * One step: the segments in order, each given the graph's inputs and the values earlier segments
     * computed. With {@code lastRow}, the segments whose outputs no other segment reads may return
     * the last row of them only (a prompt's logits before generation).
     */
    private List<Tensor> step(List<GraphExecutable.Session> sessions, Map<String, Tensor> inputs, boolean lastRow) {
        Map<Integer, Tensor> values = new HashMap<>();
        for (Node n : graph.graphInputs()) {
            Tensor t = inputs.get(n.name());
            if (t == null) throw new IllegalArgumentException("input " + n.name() + " is not given");
            values.put(n.id(), t);
        }
        Set<String> received = new HashSet<>();
        long crossings = 0, bytes = 0, host = 0;
        for (int i = 0; i < cuts.size(); i++) {
            String on = partition.segments().get(i).target();
            Graph cut = cuts.get(i);
            Map<String, Tensor> in = new HashMap<>();
            for (Node n : cut.graphInputs()) {
                Tensor t = values.get(n.id());
                in.put(n.name(), t);
                String from = producer.get(n.id());
                if (from != null && !from.equals(on) && received.add(n.id() + ">" + on)) {
                    crossings++;
                    bytes += 4L * t.rows() * t.width();
                }
            }
            long t0 = onHost[i] ? System.nanoTime() : 0;
            List<Tensor> out = lastRow && lastRowOnly[i] ? sessions.get(i).runLastRow(in) : sessions.get(i).run(in);
            if (onHost[i]) host += System.nanoTime() - t0;
            for (int j = 0; j < out.size(); j++) values.put(cut.outputs().get(j), out.get(j));
        }
        synchronized (this) {
            crossed = crossed.plus(crossings, bytes);
            hostNanos += host;
        }
        List<Tensor> outs = new ArrayList<>();
        for (int o : graph.outputs()) outs.add(values.get(o));
        return outs;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int vocabRows() {
        return vocabRows;
    }

    @Override
    public long weightBytesPerToken() {
        return weightBytes;
    }

    @Override
    public String backend() {
        return partition.target() + "+" + partition.fallback();
    }

    @Override
    public void close() {
        parts.forEach(GraphExecutable::close);
    }
}
