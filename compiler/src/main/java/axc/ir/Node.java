package axc.ir;

import java.util.List;

/**
 * One SSA value: {@code %id = op(inputs) {attrs} : type}. Inputs are ids of nodes defined earlier in
 * the graph. {@code input} and {@code param} nodes have no inputs and carry a {@code name}.
 */
public record Node(int id, Op op, List<Integer> inputs, Attrs attrs, TensorType type) {
    public Node {
        inputs = List.copyOf(inputs);
        if (id < 0) throw new IllegalArgumentException("negative node id " + id);
    }

    public int input(int i) {
        return inputs.get(i);
    }

    /** The {@code name} of an input or a param. */
    public String name() {
        return attrs.getString("name");
    }

    /** The weight scheme of a param or of an op reading weights. */
    public WeightScheme scheme() {
        return WeightScheme.parse(attrs.getString("scheme"));
    }

    public Node withInputs(List<Integer> in) {
        return new Node(id, op, in, attrs, type);
    }

    public Node withAttrs(Attrs a) {
        return new Node(id, op, inputs, a, type);
    }

    public Node withId(int newId) {
        return new Node(newId, op, inputs, attrs, type);
    }

    /** {@code %id} */
    public String ref() {
        return "%" + id;
    }
}
