package axc.ir;

import axc.ir.text.AxirPrinter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A dataflow graph in SSA form: nodes in definition order (every input defined before its use, which
 * the {@link Verifier} checks) and the ids of the output values. Immutable; passes build new graphs.
 * Equality is structural: same name, same nodes (ids included) in the same order, same outputs.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final List<Integer> outputs;
    private final Map<Integer, Node> byId = new HashMap<>();

    public Graph(String name, List<Node> nodes, List<Integer> outputs) {
        this.name = Objects.requireNonNull(name);
        this.nodes = List.copyOf(nodes);
        this.outputs = List.copyOf(outputs);
        for (Node n : this.nodes) byId.putIfAbsent(n.id(), n);
    }

    public String name() {
        return name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Integer> outputs() {
        return outputs;
    }

    public boolean has(int id) {
        return byId.containsKey(id);
    }

    public Node node(int id) {
        Node n = byId.get(id);
        if (n == null) throw new IllegalArgumentException("graph " + name + " has no node %" + id);
        return n;
    }

    public List<Node> inputs(Node n) {
        return n.inputs().stream().map(this::node).toList();
    }

    /** The {@code param} nodes, in order. */
    public List<Node> params() {
        return nodes.stream().filter(n -> n.op() == Op.PARAM).toList();
    }

    /** The {@code input} nodes, in order. */
    public List<Node> graphInputs() {
        return nodes.stream().filter(n -> n.op() == Op.INPUT).toList();
    }

    public Optional<Node> param(String paramName) {
        return nodes.stream().filter(n -> n.op() == Op.PARAM && n.name().equals(paramName)).findFirst();
    }

    public Optional<Node> graphInput(String inputName) {
        return nodes.stream().filter(n -> n.op() == Op.INPUT && n.name().equals(inputName)).findFirst();
    }

    /** For each node id, the nodes that read it (in order). */
    public Map<Integer, List<Node>> users() {
        Map<Integer, List<Node>> u = new LinkedHashMap<>();
        for (Node n : nodes) u.put(n.id(), new ArrayList<>());
        for (Node n : nodes) for (int i : n.inputs()) u.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        return u;
    }

    public int maxId() {
        return nodes.stream().mapToInt(Node::id).max().orElse(-1);
    }

    /** The same graph with ids renumbered 0..n-1 in definition order (canonical form for comparisons). */
    public Graph renumbered() {
        Map<Integer, Integer> map = new HashMap<>();
        for (Node n : nodes) map.put(n.id(), map.size());
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(new Node(map.get(n.id()), n.op(), n.inputs().stream().map(i -> map.getOrDefault(i, i)).toList(), n.attrs(), n.type()));
        }
        return new Graph(name, out, outputs.stream().map(i -> map.getOrDefault(i, i)).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Graph g && g.name.equals(name) && g.nodes.equals(nodes) && g.outputs.equals(outputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, nodes, outputs);
    }

    /** The {@code .axir} text. */
    @Override
    public String toString() {
        return AxirPrinter.print(this);
    }
}
