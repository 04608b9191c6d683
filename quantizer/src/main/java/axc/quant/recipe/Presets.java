package axc.quant.recipe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The named presets, as a small table. llama.cpp-style presets write GGUF with llama.cpp's own types
 * and mixes; axc's integer schemes write quantized safetensors.
 */
public final class Presets {
    private static final Map<String, Recipe> TABLE = new LinkedHashMap<>();

    static {
        // llama.cpp file types (GGUF output, RTN with llama.cpp's reference quantizers and mixes)
        for (String f : List.of("q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k_s", "q3_k_m", "q3_k_l", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k", "f16", "bf16")) {
            add(f, f, "rtn");
        }
        // axc integer schemes (quantized safetensors)
        add("int8", "int8", "rtn");
        add("int4-g128", "int4-g128", "rtn");
        add("int4-g128-sym", "int4-g128-sym", "rtn");
        add("int4-g64", "int4-g64", "rtn");
        add("int4-g32", "int4-g32", "rtn");
        add("int4-awq-g128", "int4-g128", "awq");
        add("int4-gptq-g128", "int4-g128", "gptq");
        add("w8a8", "w8a8", "rtn");
        add("w8a8-sq", "w8a8", "smoothquant");
    }

    private Presets() {
    }

    private static void add(String name, String base, String algorithm) {
        TABLE.put(name, new Recipe(name, base, algorithm, false, List.of(), Map.of()));
    }

    public static Optional<Recipe> find(String name) {
        return Optional.ofNullable(TABLE.get(name.toLowerCase(Locale.ROOT)));
    }

    public static List<String> names() {
        return List.copyOf(TABLE.keySet());
    }

    /** True for the types a recipe rule may give a single tensor. */
    public static boolean isTensorType(String t) {
        return List.of("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k",
                "int8", "int4-g32", "int4-g64", "int4-g128", "int4-g128-sym").contains(t);
    }

    /** True when the base scheme is written as GGUF (a llama.cpp type) rather than safetensors. */
    public static boolean isGguf(String base) {
        return !(base.startsWith("int") || base.startsWith("w8a8"));
    }
}
