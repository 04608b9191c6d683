package axc.ir;

import java.util.regex.Pattern;

/**
 * One axis of a {@link TensorType}: a fixed size, or a symbol (such as {@code T}, the number of tokens
 * of a step) bound when the graph runs. Two symbolic dims are equal when their symbols are.
 */
public sealed interface Dim {
    Pattern SYMBOL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*|\\?");

    record Fixed(long size) implements Dim {
        public Fixed {
            if (size < 0) throw new IllegalArgumentException("negative dimension " + size);
        }

        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    record Sym(String symbol) implements Dim {
        public Sym {
            if (!SYMBOL.matcher(symbol).matches()) throw new IllegalArgumentException("bad dimension symbol '" + symbol + "'");
        }

        @Override
        public String toString() {
            return symbol;
        }
    }

    static Dim of(long size) {
        return new Fixed(size);
    }

    static Dim sym(String symbol) {
        return new Sym(symbol);
    }

    /** {@code 896} or a symbol. */
    static Dim parse(String s) {
        if (!s.isEmpty() && Character.isDigit(s.charAt(0))) return new Fixed(Long.parseLong(s));
        return new Sym(s);
    }

    default boolean isFixed() {
        return this instanceof Fixed;
    }

    /** The size of a fixed dim; throws for a symbol. */
    default long size() {
        if (this instanceof Fixed f) return f.size();
        throw new IllegalStateException("dimension " + this + " is symbolic");
    }
}
