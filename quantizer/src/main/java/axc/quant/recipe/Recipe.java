package axc.quant.recipe;

import axc.errors.InvalidInputException;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What to quantize to: a base scheme (a llama.cpp file type such as {@code q4_k_m}, or an axc scheme
 * such as {@code int4-g128}), an algorithm ({@code rtn}, {@code awq}, {@code gptq}, {@code smoothquant}),
 * and ordered rules {@code regex -> type} whose first match overrides the base for a tensor (so
 * embeddings, the head or chosen layers can stay at higher precision). Presets are recipes.
 *
 * <pre>
 * name: keep-edges-q8
 * base: q4_k_m
 * algorithm: rtn
 * rules:
 *   - match: "token_embd|output\\.weight"
 *     type: q8_0
 *   - match: "blk\\.0\\."
 *     type: f16
 * </pre>
 */
public record Recipe(String name, String base, String algorithm, boolean pure, List<Rule> rules, Map<String, Object> options) {

    private static final List<String> KEYS = List.of("name", "base", "algorithm", "pure", "rules", "options");

    /** The first rule matching any of the tensor's names, or null. */
    public String override(String... names) {
        for (Rule r : rules) if (r.matches(names)) return r.type();
        return null;
    }

    /** A stable, canonical JSON form recorded in every quantized file. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("base", base);
        m.put("algorithm", algorithm);
        m.put("pure", pure);
        List<Map<String, String>> rs = new ArrayList<>();
        for (Rule r : rules) rs.add(Map.of("match", r.pattern().pattern(), "type", r.type()));
        m.put("rules", rs);
        m.put("options", new java.util.TreeMap<>(options));
        try {
            return Json.MAPPER.writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Recipe read(Path file) {
        JsonNode n;
        String f = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (f.endsWith(".yaml") || f.endsWith(".yml")) {
            try {
                n = new ObjectMapper(new YAMLFactory()).readTree(InputFiles.readSmall(file));
            } catch (IOException e) {
                throw InvalidInputException.of(file, "malformed YAML: " + Json.firstLine(e.getMessage()));
            }
        } else {
            n = Json.read(file);
        }
        return parse(n, file.toString());
    }

    static Recipe parse(JsonNode n, String where) {
        if (n == null || !n.isObject()) throw new InvalidInputException(where + ": a recipe is an object with 'base' and optional 'rules'");
        // A misspelt key ('rule:', 'algo:') would otherwise be ignored and quantize to something else than asked.
        for (String k : (Iterable<String>) n::fieldNames) {
            if (!KEYS.contains(k)) throw new InvalidInputException(where + ": unknown key '" + k + "' (known: " + String.join(", ", KEYS) + ")");
        }
        String base = text(n, "base", where, true);
        Recipe preset = Presets.find(base).orElseThrow(() -> new InvalidInputException(where + ": key 'base': unknown scheme '" + base
                + "' (known: " + String.join(", ", Presets.names()) + ")"));
        String algorithm = n.hasNonNull("algorithm") ? text(n, "algorithm", where, true).toLowerCase(Locale.ROOT) : preset.algorithm();
        if (!List.of("rtn", "awq", "gptq", "smoothquant").contains(algorithm)) {
            throw new InvalidInputException(where + ": key 'algorithm': '" + algorithm + "' is not rtn, awq, gptq or smoothquant");
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode rs = n.get("rules");
        if (rs != null) {
            if (!rs.isArray()) throw new InvalidInputException(where + ": key 'rules' must be a list");
            for (int i = 0; i < rs.size(); i++) {
                JsonNode r = rs.get(i);
                String match = text(r, "match", where + " rules[" + i + "]", true);
                String type = text(r, "type", where + " rules[" + i + "]", true).toLowerCase(Locale.ROOT);
                if (!Presets.isTensorType(type)) {
                    throw new InvalidInputException(where + ": rules[" + i + "].type '" + type + "' is not a tensor type (e.g. f32, f16, q8_0, q4_k, int8)");
                }
                try {
                    rules.add(new Rule(Pattern.compile(match), type));
                } catch (PatternSyntaxException e) {
                    throw new InvalidInputException(where + ": rules[" + i + "].match is not a valid regex: " + Json.firstLine(e.getMessage()));
                }
            }
        }
        Map<String, Object> options = new LinkedHashMap<>(preset.options());
        JsonNode o = n.get("options");
        if (o != null && o.isObject()) o.properties().forEach(e -> options.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
        boolean pure = n.path("pure").asBoolean(preset.pure());
        return new Recipe(n.path("name").asText(base), preset.base(), algorithm, pure, List.copyOf(rules), options);
    }

    private static String text(JsonNode n, String key, String where, boolean required) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            if (required) throw new InvalidInputException(where + ": missing key '" + key + "'");
            return null;
        }
        if (!v.isTextual()) throw new InvalidInputException(where + ": key '" + key + "' must be a string");
        return v.asText();
    }
}
