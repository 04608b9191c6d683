package axc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks the rules every graph obeys, before and after each pass: SSA (unique ids, every input
 * defined before its use, outputs defined), op arity and attributes, result types equal to what the
 * op's shape rules give, weights read only through {@code param} nodes of matching scheme, unique
 * param and input names, one attention per KV cache slot, and (given a tensor store) every param
 * present.
 */
public final class Verifier {
    private Verifier() {
    }

    /** Throws {@link IrVerificationException} naming the first offending node. */
    public static void verify(Graph g) {
        List<String> p = check(g);
        if (!p.isEmpty()) throw new IrVerificationException(g.name(), p);
    }

    /** As {@link #verify(Graph)}, and every param's tensor must be {@code present}. */
    public static void verify(Graph g, Predicate<String> present) {
        List<String> p = check(g);
        for (Node n : g.nodes()) {
            if (n.op() == Op.PARAM && n.attrs().has("name") && !present.test(n.name())) {
                p.add(where(n) + ": tensor " + n.name() + " is not in the weights");
            }
        }
        if (!p.isEmpty()) throw new IrVerificationException(g.name(), p);
    }

    /** Every problem, in node order; empty when the graph is valid. */
    public static List<String> check(Graph g) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Node> defined = new HashMap<>();
        Set<Integer> all = new HashSet<>();
        for (Node n : g.nodes()) all.add(n.id());
        Map<String, Integer> params = new HashMap<>();
        Map<String, Integer> inputs = new HashMap<>();
        Map<Long, Integer> slots = new HashMap<>();
        for (Node n : g.nodes()) {
            String at = where(n);
            if (defined.containsKey(n.id())) {
                problems.add(at + ": id %" + n.id() + " is defined twice");
                continue;
            }
            int before = problems.size();
            Op op = n.op();
            Epilogue epilogue = Epilogue.NONE;
            if (Epilogue.allowedOn(op)) {
                try {
                    epilogue = Epilogue.of(n.attrs());
                } catch (IllegalArgumentException e) {
                    problems.add(at + ": epilogue: " + e.getMessage());
                }
            }
            int own = n.inputs().size() - epilogue.extraInputs();
            if (own < op.minInputs() || own > op.maxInputs()) {
                problems.add(at + ": takes " + arity(op) + " inputs" + (epilogue.isEmpty() ? "" : " before its epilogue's " + epilogue.extraInputs()) + ", has " + own);
            }
            for (String a : op.requiredAttrs()) {
                if (!n.attrs().has(a)) {
                    problems.add(at + ": attribute '" + a + "' is missing");
                } else if (!kindOk(a, n.attrs().get(a))) {
                    problems.add(at + ": attribute '" + a + "' must be " + (REAL.contains(a) ? "a number" : INTEGER.contains(a) ? "an integer" : "a string") + ", is " + n.attrs().get(a));
                }
            }
            List<TensorType> types = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                int in = n.input(i);
                Node src = defined.get(in);
                if (src == null) {
                    problems.add(at + ": input " + i + " %" + in + (all.contains(in) ? " is used before it is defined" : " is not defined (dangling)"));
                    continue;
                }
                types.add(src.type());
                boolean weight = i < own ? op.isWeightInput(i) : i < own + epilogue.biases();
                boolean schemed = i < own && op.isSchemeInput(i);
                if (weight && src.op() != Op.PARAM) {
                    problems.add(at + ": input " + i + " must be a param (a weight), is %" + in + " (" + src.op().spelling() + ")");
                } else if (schemed && n.attrs().has("scheme") && src.attrs().has("scheme")
                        && !src.attrs().get("scheme").equals(n.attrs().get("scheme"))) {
                    problems.add(at + ": scheme=" + n.attrs().get("scheme") + " but weight @" + src.name() + " is stored as " + src.attrs().get("scheme"));
                }
            }
            if (problems.size() == before) {
                if (op.readsWeights() || op == Op.PARAM) schemeOf(n, at, problems);
                switch (op) {
                    case PARAM -> {
                        declared(n, at, problems, params);
                        TensorType t = n.type();
                        boolean fixed = t.shape().stream().allMatch(Dim::isFixed);
                        if (t.dtype() != DataType.F32 || t.rank() < 1 || t.rank() > 2 || !fixed) {
                            problems.add(at + ": a param is an f32 vector or matrix of fixed size (its logical type), got " + t);
                        }
                    }
                    case INPUT -> declared(n, at, problems, inputs);
                    default -> {
                        try {
                            TensorType expected = op.infer(types, n.attrs());
                            if (!expected.equals(n.type())) problems.add(at + ": type " + n.type() + " should be " + expected);
                        } catch (IllegalArgumentException e) {
                            problems.add(at + ": " + e.getMessage());
                        }
                    }
                }
                if (op == Op.ATTENTION && n.attrs().has("layer") && n.attrs().get("layer") instanceof Long slot) {
                    Integer other = slots.putIfAbsent(slot, n.id());
                    if (other != null) problems.add(at + ": KV cache slot layer=" + slot + " is also used by %" + other);
                }
            }
            defined.put(n.id(), n);
        }
        if (g.outputs().isEmpty()) problems.add("the graph has no outputs");
        for (int o : g.outputs()) if (!defined.containsKey(o)) problems.add("output %" + o + " is not defined");
        return problems;
    }

    private static final Set<String> REAL = Set.of("eps", "theta");
    private static final Set<String> INTEGER = Set.of("heads", "kv_heads", "head_dim", "layer", "start", "size");

    private static boolean kindOk(String name, Object v) {
        if (REAL.contains(name)) return v instanceof Double || v instanceof Long;
        if (INTEGER.contains(name)) return v instanceof Long;
        return v instanceof String;
    }

    private static void schemeOf(Node n, String at, List<String> problems) {
        if (!(n.attrs().asMap().get("scheme") instanceof String s)) {
            problems.add(at + ": attribute 'scheme' must be a string");
            return;
        }
        try {
            WeightScheme.parse(s);
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
        }
    }

    private static void declared(Node n, String at, List<String> problems, Map<String, Integer> names) {
        if (!(n.attrs().asMap().get("name") instanceof String s) || s.isEmpty()) {
            problems.add(at + ": attribute 'name' must be a non-empty string");
            return;
        }
        Integer other = names.putIfAbsent(s, n.id());
        if (other != null) problems.add(at + ": name " + s + " is also declared by %" + other);
    }

    private static String arity(Op op) {
        if (op.minInputs() == op.maxInputs()) return Integer.toString(op.minInputs());
        return op.maxInputs() == Integer.MAX_VALUE ? op.minInputs() + " or more" : op.minInputs() + " to " + op.maxInputs();
    }

    private static String where(Node n) {
        String name = (n.op() == Op.PARAM || n.op() == Op.INPUT) && n.attrs().has("name") ? " " + n.attrs().get("name") : "";
        return "node %" + n.id() + " (" + n.op().spelling() + name + ")";
    }
}
