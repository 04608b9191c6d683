package axc.pass;

import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Edits of one graph collected by a pass, then applied at once: new nodes (placed right after an
 * anchor node of the old graph), uses of one value redirected to another, nodes removed. {@link #build}
 * rewires every input through the redirections, drops removed nodes and orders the rest topologically,
 * keeping the old order wherever the dataflow allows it (so an untouched graph comes back equal).
 */
public final class GraphRewriter {
    private final Graph g;
    private final Map<Integer, Integer> index = new HashMap<>();
    private final Map<Integer, Long> keys = new HashMap<>();
    private final Map<Integer, Node> added = new HashMap<>();
    private final List<Node> addedOrder = new ArrayList<>();
    private final Map<Integer, Node> replacedNodes = new HashMap<>();
    private final Map<Integer, Integer> redirect = new HashMap<>();
    private final Set<Integer> removed = new HashSet<>();
    private int next;
    private long sub;

    public GraphRewriter(Graph g) {
        this.g = g;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            index.put(n.id(), i);
            keys.put(n.id(), (long) i << 20);
        }
        next = g.maxId() + 1;
    }

    public Graph source() {
        return g;
    }

    /** The node {@code id} as edited so far (a new node, a replaced one, or the graph's). */
    public Node node(int id) {
        Node n = added.get(id);
        if (n != null) return n;
        n = replacedNodes.get(id);
        return n != null ? n : g.node(id);
    }

    public TensorType type(int id) {
        return node(id).type();
    }

    /** Appends {@code op(inputs) {attrs}} with its inferred type, placed after node {@code anchor}; returns its id. */
    public int add(Op op, Attrs attrs, List<Integer> inputs, int anchor) {
        List<TensorType> types = inputs.stream().map(this::type).toList();
        TensorType t = op.infer(types, attrs);
        Node n = new Node(next++, op, inputs, attrs, t);
        Long k = keys.get(anchor);
        if (k == null) throw new IllegalArgumentException("anchor %" + anchor + " is not a node");
        keys.put(n.id(), (k | 0xFFFFFL) - 0xFFFFFL + (++sub));
        added.put(n.id(), n);
        addedOrder.add(n);
        return n.id();
    }

    /** Replaces node {@code id} in place (same id and position) by {@code n}, e.g. with new attributes. */
    public void replace(Node n) {
        if (!index.containsKey(n.id())) throw new IllegalArgumentException("%" + n.id() + " is not a node of the graph");
        replacedNodes.put(n.id(), n);
    }

    /** Every use of {@code from} (and the graph output, if it is one) reads {@code to} instead. */
    public void redirect(int from, int to) {
        if (from == to) return;
        redirect.put(from, to);
    }

    public void remove(int id) {
        removed.add(id);
    }

    public boolean changed() {
        return !added.isEmpty() || !replacedNodes.isEmpty() || !redirect.isEmpty() || !removed.isEmpty();
    }

    private int resolve(int id) {
        int seen = 0;
        Integer r;
        while ((r = redirect.get(id)) != null) {
            id = r;
            if (++seen > redirect.size()) throw new IllegalStateException("redirections form a cycle at %" + id);
        }
        return id;
    }

    public Graph build() {
        if (!changed()) return g;
        List<Node> all = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (removed.contains(n.id())) continue;
            all.add(replacedNodes.getOrDefault(n.id(), n));
        }
        for (Node n : addedOrder) if (!removed.contains(n.id())) all.add(n);
        Map<Integer, Node> byId = new HashMap<>();
        for (Node n : all) {
            Node r = n.withInputs(n.inputs().stream().map(this::resolve).toList());
            byId.put(r.id(), r);
        }
        // Stable topological order: among ready nodes, the one with the smallest key first.
        Map<Integer, Integer> pending = new HashMap<>();
        Map<Integer, List<Integer>> users = new HashMap<>();
        for (Node n : byId.values()) {
            int count = 0;
            for (int in : new HashSet<>(n.inputs())) {
                if (byId.containsKey(in)) {
                    count++;
                    users.computeIfAbsent(in, k -> new ArrayList<>()).add(n.id());
                }
            }
            pending.put(n.id(), count);
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> Long.compare(keys.get(a), keys.get(b)));
        for (var e : pending.entrySet()) if (e.getValue() == 0) ready.add(e.getKey());
        List<Node> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            int id = ready.poll();
            out.add(byId.get(id));
            for (int u : users.getOrDefault(id, List.of())) {
                if (pending.merge(u, -1, Integer::sum) == 0) ready.add(u);
            }
        }
        if (out.size() != byId.size()) throw new IllegalStateException("the edited graph has a cycle");
        return new Graph(g.name(), out, g.outputs().stream().map(this::resolve).toList());
    }
}
