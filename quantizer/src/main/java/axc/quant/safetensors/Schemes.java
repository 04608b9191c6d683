package axc.quant.safetensors;

import axc.errors.InvalidInputException;
import axc.quant.recipe.Recipe;
import axc.quant.scheme.Int4Group;
import axc.quant.scheme.Int8PerChannel;
import axc.quant.scheme.QuantScheme;
import axc.quant.scheme.W8A8;

/** The integer scheme a recipe's base names. */
public final class Schemes {
    private Schemes() {
    }

    public static QuantScheme of(Recipe r) {
        String b = r.base();
        if (b.equals("int8")) return new Int8PerChannel();
        if (b.equals("w8a8")) {
            Object a = r.options().get("alpha");
            return new W8A8(a instanceof Number n ? n.doubleValue() : 0.5);
        }
        if (b.startsWith("int4-g")) {
            boolean sym = b.endsWith("-sym");
            String g = b.substring("int4-g".length(), sym ? b.length() - 4 : b.length());
            return new Int4Group(Integer.parseInt(g), sym);
        }
        throw new InvalidInputException("scheme '" + b + "' is not an integer safetensors scheme");
    }
}
