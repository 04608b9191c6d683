package axc.ir.text;

import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prints a graph as {@code .axir} text, one node per line, deterministically (attributes sorted by
 * name, reals in Java's shortest round-trip spelling):
 *
 * <pre>
 * axir 1
 * graph qwen2 {
 *   %0 = input tokens : i32[T]
 *   %2 = param @model.embed_tokens.weight {scheme=bf16} : f32[151936,896]
 *   %3 = embedding(@model.embed_tokens.weight, %0) {scheme=bf16} : f32[T,896]
 *   ...
 *   return %40
 * }
 * </pre>
 *
 * Operands that are params print as {@code @name}, others as {@code %id}. {@link AxirParser} reads it back.
 */
public final class AxirPrinter {
    public static final int VERSION = 1;
    static final Pattern BARE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");
    static final Pattern BARE_NAME = Pattern.compile("[A-Za-z0-9_.\\-/]+");
    static final Set<String> RESERVED = Set.of("true", "false", "nan", "inf", "return", "graph");

    private AxirPrinter() {
    }

    public static String print(Graph g) {
        Map<String, Integer> count = paramNameCounts(g);
        Map<Integer, String> refs = new HashMap<>();
        StringBuilder b = new StringBuilder();
        b.append("axir ").append(VERSION).append('\n');
        b.append("graph ").append(word(g.name())).append(" {\n");
        for (Node n : g.nodes()) {
            b.append("  ");
            line(n, refs, b);
            b.append('\n');
            // A param prints as @name from its definition on (before it, a use is an SSA error the verifier reports).
            if (n.op() == Op.PARAM && n.attrs().asMap().get("name") instanceof String s && count.get(s) == 1) refs.putIfAbsent(n.id(), "@" + name(s));
        }
        b.append("  return ");
        operands(g.outputs(), refs, b);
        b.append("\n}\n");
        return b.toString();
    }

    /** How operands of {@code g} print: {@code @name} for params (when unique), absent for {@code %id}. */
    public static Map<Integer, String> refs(Graph g) {
        Map<String, Integer> count = paramNameCounts(g);
        Map<Integer, String> refs = new HashMap<>();
        for (Node n : g.params()) {
            if (n.attrs().asMap().get("name") instanceof String s && count.get(s) == 1) refs.put(n.id(), "@" + name(s));
        }
        return refs;
    }

    private static Map<String, Integer> paramNameCounts(Graph g) {
        Map<String, Integer> count = new HashMap<>();
        for (Node n : g.params()) if (n.attrs().asMap().get("name") instanceof String s) count.merge(s, 1, Integer::sum);
        return count;
    }

    /** One node's line, without indentation: {@code %12 = matmul(%11, @w) {scheme=bf16} : f32[T,896]}. */
    public static String line(Node n, Map<Integer, String> refs) {
        StringBuilder b = new StringBuilder();
        line(n, refs, b);
        return b.toString();
    }

    private static void line(Node n, Map<Integer, String> refs, StringBuilder b) {
        b.append('%').append(n.id()).append(" = ").append(n.op().spelling());
        var attrs = n.attrs();
        boolean named = (n.op() == Op.PARAM || n.op() == Op.INPUT) && attrs.asMap().get("name") instanceof String;
        if (named) {
            String s = (String) attrs.get("name");
            b.append(' ').append(n.op() == Op.PARAM ? "@" + name(s) : word(s));
            attrs = attrs.without("name");
        } else {
            b.append('(');
            operands(n.inputs(), refs, b);
            b.append(')');
        }
        if (!attrs.isEmpty()) {
            b.append(" {");
            boolean first = true;
            for (var e : attrs.asMap().entrySet()) {
                if (!first) b.append(", ");
                first = false;
                b.append(word(e.getKey())).append('=').append(value(e.getValue()));
            }
            b.append('}');
        }
        b.append(" : ").append(n.type());
    }

    private static void operands(List<Integer> ids, Map<Integer, String> refs, StringBuilder b) {
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(refs.getOrDefault(ids.get(i), "%" + ids.get(i)));
        }
    }

    static String value(Object v) {
        return switch (v) {
            case Long l -> Long.toString(l);
            case Double d -> d.isNaN() ? "nan" : d == Double.POSITIVE_INFINITY ? "inf" : d == Double.NEGATIVE_INFINITY ? "-inf" : Double.toString(d);
            case Boolean x -> x.toString();
            case String s -> word(s);
            default -> throw new IllegalArgumentException("attribute value " + v);
        };
    }

    /** A bare word when it reads back as the same string, else a quoted string. */
    static String word(String s) {
        return BARE.matcher(s).matches() && !RESERVED.contains(s) ? s : quote(s);
    }

    static String name(String s) {
        return BARE_NAME.matcher(s).matches() ? s : quote(s);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
