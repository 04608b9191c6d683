package axc.partition;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A maximal run of consecutive nodes (in graph order, params and inputs aside) that one target runs:
 * the unit a target loads ({@link axc.target.Target#loadSegment}) and the host calls in turn.
 *
 * @param target  id of the target that runs it
 * @param nodes   its nodes' ids, in graph order
 * @param inputs  the values it reads that it does not compute (graph inputs and other segments' results), in order of first use
 * @param outputs the values it computes that later segments or the graph's outputs read, in graph order
 */
public record Segment(String target, List<Integer> nodes, List<Integer> inputs, List<Integer> outputs) {
    public Segment {
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The name a boundary value has as an input of a segment's graph: {@code %<id>}, as the value prints in the graph. */
    public static String inputName(int id) {
        return "%" + id;
    }

    /** The segment of {@code g} made of {@code nodes}, with its inputs and outputs found from the dataflow ({@code users} is {@code g.users()}). */
    static Segment of(Graph g, String target, List<Integer> nodes, Map<Integer, List<Node>> users) {
        Set<Integer> own = new HashSet<>(nodes);
        Set<Integer> inputs = new LinkedHashSet<>();
        for (int id : nodes) {
            for (int in : g.node(id).inputs()) if (!own.contains(in) && g.node(in).op() != Op.PARAM) inputs.add(in);
        }
        List<Integer> outputs = new ArrayList<>();
        for (int id : nodes) {
            boolean usedOutside = g.outputs().contains(id) || users.getOrDefault(id, List.of()).stream().anyMatch(u -> !own.contains(u.id()));
            if (usedOutside) outputs.add(id);
        }
        return new Segment(target, nodes, List.copyOf(inputs), outputs);
    }

    /**
     * The segment as a graph of its own: an {@code input} node for each value it receives (the graph's
     * own inputs as they are, other segments' values as {@link #inputName}), the params its nodes read,
     * then its nodes, unchanged. Every node keeps its id, so a target can match the segment with what it
     * compiled, and the host can match inputs and outputs with the values of the whole graph.
     */
    public Graph graph(Graph g, String name) {
        Set<Integer> own = new HashSet<>(nodes);
        List<Node> head = new ArrayList<>();
        Set<Integer> declared = new HashSet<>();
        for (int id : nodes) {
            for (int in : g.node(id).inputs()) {
                if (own.contains(in) || !declared.add(in)) continue;
                Node src = g.node(in);
                boolean keep = src.op() == Op.PARAM || src.op() == Op.INPUT;
                head.add(keep ? src : new Node(in, Op.INPUT, List.of(), Attrs.of("name", inputName(in)), src.type()));
            }
        }
        List<Node> all = new ArrayList<>(head);
        for (int id : nodes) all.add(g.node(id));
        return new Graph(name, all, outputs);
    }
}
