package axc.ir;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A node's attributes: names (sorted, so printing is deterministic) to values of four kinds: integers
 * ({@link Long}), reals ({@link Double}), strings and booleans.
 */
public final class Attrs {
    public static final Attrs EMPTY = new Attrs(new TreeMap<>());
    private final SortedMap<String, Object> map;

    private Attrs(SortedMap<String, Object> map) {
        this.map = Collections.unmodifiableSortedMap(map);
    }

    /** {@code Attrs.of("eps", 1e-6, "heads", 14)}; ints become longs, floats doubles. */
    public static Attrs of(Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("attribute names and values must pair up");
        TreeMap<String, Object> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], normalize(kv[i + 1]));
        return new Attrs(m);
    }

    public static Attrs of(Map<String, ?> values) {
        TreeMap<String, Object> m = new TreeMap<>();
        values.forEach((k, v) -> m.put(k, normalize(v)));
        return new Attrs(m);
    }

    private static Object normalize(Object v) {
        return switch (v) {
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Long l -> l;
            case Float f -> (double) f;
            case Double d -> d;
            case String s -> s;
            case Boolean b -> b;
            case null -> throw new IllegalArgumentException("attribute value is null");
            default -> throw new IllegalArgumentException("attribute value of " + v.getClass().getSimpleName() + " (integers, reals, strings and booleans are allowed)");
        };
    }

    /** A copy with {@code name} set to {@code value}. */
    public Attrs with(String name, Object value) {
        TreeMap<String, Object> m = new TreeMap<>(map);
        m.put(name, normalize(value));
        return new Attrs(m);
    }

    public Attrs without(String name) {
        TreeMap<String, Object> m = new TreeMap<>(map);
        m.remove(name);
        return new Attrs(m);
    }

    public Map<String, Object> asMap() {
        return map;
    }

    public boolean has(String name) {
        return map.containsKey(name);
    }

    public Object get(String name) {
        Object v = map.get(name);
        if (v == null) throw new IllegalArgumentException("no attribute '" + name + "'");
        return v;
    }

    public long getLong(String name) {
        if (get(name) instanceof Long l) return l;
        throw new IllegalArgumentException("attribute '" + name + "' is not an integer: " + get(name));
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public double getDouble(String name) {
        Object v = get(name);
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l;
        throw new IllegalArgumentException("attribute '" + name + "' is not a number: " + v);
    }

    public String getString(String name) {
        if (get(name) instanceof String s) return s;
        throw new IllegalArgumentException("attribute '" + name + "' is not a string: " + get(name));
    }

    public boolean getBool(String name) {
        if (get(name) instanceof Boolean b) return b;
        throw new IllegalArgumentException("attribute '" + name + "' is not a boolean: " + get(name));
    }

    public boolean isEmpty() {
        return map.isEmpty();
    }

    /**
     * Equality is exact on values, with reals compared by their bits (so {@code NaN} equals itself and
     * {@code 0.0} differs from {@code -0.0}): what the text and protobuf forms preserve.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attrs a) || !a.map.keySet().equals(map.keySet())) return false;
        for (var e : map.entrySet()) {
            Object x = e.getValue();
            Object y = a.map.get(e.getKey());
            if (x instanceof Double dx && y instanceof Double dy) {
                if (Double.doubleToLongBits(dx) != Double.doubleToLongBits(dy)) return false;
            } else if (!Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return map.keySet().hashCode();
    }

    @Override
    public String toString() {
        return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }
}
