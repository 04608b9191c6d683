package axc.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends nodes in order, inferring each result type from the op's rules; ids count up from 0.
 * Params are declared once per name: asking for the same name again returns the same node.
 */
public final class GraphBuilder {
    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Node> byId = new HashMap<>();
    private final Map<String, Integer> params = new HashMap<>();
    private final List<Integer> outputs = new ArrayList<>();
    private int next;

    public GraphBuilder(String name) {
        this.name = name;
    }

    public int input(String inputName, TensorType type) {
        return append(new Node(next, Op.INPUT, List.of(), Attrs.of("name", inputName), type));
    }

    public int param(String tensorName, WeightScheme scheme, TensorType type) {
        Integer known = params.get(tensorName);
        if (known != null) {
            Node n = byId.get(known);
            if (!n.type().equals(type) || !n.scheme().equals(scheme)) {
                throw new IllegalArgumentException("param " + tensorName + " declared as " + n.type() + " " + n.scheme().spelling() + " and again as " + type + " " + scheme.spelling());
            }
            return known;
        }
        int id = append(new Node(next, Op.PARAM, List.of(), Attrs.of("name", tensorName, "scheme", scheme.spelling()), type));
        params.put(tensorName, id);
        return id;
    }

    /** Appends {@code op(inputs) {attrs}} with its inferred type; returns its id. */
    public int op(Op op, Attrs attrs, int... inputs) {
        List<TensorType> types = new ArrayList<>();
        for (int i : inputs) types.add(type(i));
        TensorType t;
        try {
            t = op.infer(types, attrs);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op.spelling() + Arrays.toString(inputs) + ": " + e.getMessage(), e);
        }
        return append(new Node(next, op, Arrays.stream(inputs).boxed().toList(), attrs, t));
    }

    public int op(Op op, int... inputs) {
        return op(op, Attrs.EMPTY, inputs);
    }

    public TensorType type(int id) {
        Node n = byId.get(id);
        if (n == null) throw new IllegalArgumentException("no node %" + id);
        return n.type();
    }

    public Node node(int id) {
        return byId.get(id);
    }

    public GraphBuilder output(int id) {
        outputs.add(id);
        return this;
    }

    /** Appends a node as it is (its id must be new), for passes that copy nodes. */
    public int append(Node n) {
        if (byId.containsKey(n.id())) throw new IllegalArgumentException("node %" + n.id() + " is already defined");
        nodes.add(n);
        byId.put(n.id(), n);
        next = Math.max(next, n.id() + 1);
        return n.id();
    }

    public Graph build() {
        return new Graph(name, nodes, outputs);
    }
}
