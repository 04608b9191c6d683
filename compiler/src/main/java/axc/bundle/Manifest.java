package axc.bundle;

import axc.errors.InvalidInputException;
import axc.formats.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The first entry of every {@code .axc} file, {@value #NAME}: what the artifact was built from and for,
 * and where each other entry lies. See {@code docs/artifact.md} for the schema.
 *
 * @param format           {@value #FORMAT}; a reader refuses any other value
 * @param axcVersion       version of axc that wrote the artifact
 * @param target           target id ({@code cpu}, {@code cuda}, {@code npu}, ...)
 * @param targetApiVersion version of the target SPI the artifact was compiled against
 * @param device           free-form description of the device the target compiled for (a JSON object)
 * @param sources          source file name to the sha256 of its bytes: shards, tokenizer files, calibration text
 * @param recipe           the quantization recipe as JSON, or null when none was applied
 * @param seed             the seed of every random choice made while building
 * @param passes           names of the passes that ran, in order
 * @param entries          every other entry in archive order (sorted by name), with its data's offset
 *                         within the file, its size and its sha256
 */
public record Manifest(String format, String axcVersion, String target, String targetApiVersion, ObjectNode device,
                       SortedMap<String, String> sources, JsonNode recipe, long seed, List<String> passes,
                       List<Entry> entries) {

    /** The manifest's entry name: always the first entry of the archive. */
    public static final String NAME = "manifest.json";
    /** The format this reader and writer speak. */
    public static final String FORMAT = "axc.bundle/1";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> KEYS = List.of("format", "axc_version", "target", "target_api_version",
            "device", "sources", "recipe", "seed", "passes", "entries");
    private static final List<String> ENTRY_KEYS = List.of("name", "offset", "size", "sha256");

    /**
     * One entry other than the manifest.
     *
     * @param name   path inside the archive
     * @param offset position of the entry's first data byte in the file (a multiple of 512)
     * @param size   bytes of data
     * @param sha256 lowercase hex sha256 of the data
     */
    public record Entry(String name, long offset, long size, String sha256) {
        public Entry {
            String p = EntryName.problem(name);
            if (p != null) throw new IllegalArgumentException(p);
            if (offset < 0 || offset % Tar.BLOCK != 0) {
                throw new IllegalArgumentException("entry '" + name + "': offset " + offset + " is not a non-negative multiple of 512");
            }
            if (size < 0) throw new IllegalArgumentException("entry '" + name + "': negative size " + size);
            if (sha256 == null || !SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("entry '" + name + "': sha256 is not 64 lowercase hex digits");
            }
        }
    }

    public Manifest {
        if (!FORMAT.equals(format)) throw new IllegalArgumentException("format '" + format + "' is not " + FORMAT);
        require(axcVersion, "axc_version");
        require(target, "target");
        require(targetApiVersion, "target_api_version");
        if (device == null) throw new IllegalArgumentException("device is null");
        device = (ObjectNode) canonical(device);
        recipe = recipe == null || recipe.isNull() ? null : canonical(recipe);
        TreeMap<String, String> s = new TreeMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            require(e.getKey(), "source name");
            if (e.getValue() == null || !SHA256.matcher(e.getValue()).matches()) {
                throw new IllegalArgumentException("source '" + e.getKey() + "': sha256 is not 64 lowercase hex digits");
            }
            s.put(e.getKey(), e.getValue());
        }
        sources = Collections.unmodifiableSortedMap(s);
        for (String p : passes) require(p, "pass name");
        passes = List.copyOf(passes);
        entries = List.copyOf(entries);
        for (int i = 0; i < entries.size(); i++) {
            String name = entries.get(i).name();
            if (name.equals(NAME)) throw new IllegalArgumentException("entry '" + NAME + "' is reserved for the manifest");
            if (i > 0 && entries.get(i - 1).name().compareTo(name) >= 0) {
                throw new IllegalArgumentException(entries.get(i - 1).name().equals(name)
                        ? "duplicate entry '" + name + "'"
                        : "entries are not sorted by name ('" + entries.get(i - 1).name() + "' before '" + name + "')");
            }
        }
        String clash = EntryName.folderClash(entries.stream().map(Entry::name).toList());
        if (clash != null) throw new IllegalArgumentException(clash);
    }

    /** A copy: the record's own tree stays unchanged. */
    @Override
    public ObjectNode device() {
        return device.deepCopy();
    }

    /** A copy, or null when no recipe was applied. */
    @Override
    public JsonNode recipe() {
        return recipe == null ? null : recipe.deepCopy();
    }

    /** The entry named {@code name}, if the artifact has one. */
    public Optional<Entry> entry(String name) {
        int lo = 0, hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = entries.get(mid).name().compareTo(name);
            if (c == 0) return Optional.of(entries.get(mid));
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return Optional.empty();
    }

    /** The same manifest with other entries (the writer fills in offsets and hashes). */
    Manifest withEntries(List<Entry> newEntries) {
        return new Manifest(format, axcVersion, target, targetApiVersion, device, sources, recipe, seed, passes, newEntries);
    }

    // ---- JSON

    /**
     * The manifest's bytes: UTF-8 JSON in a fixed layout (keys in schema order, one source and one entry
     * per line, device and recipe on one line with their keys sorted), ending in a newline. Equal
     * manifests give equal bytes; hashes are fixed-width, so filling them in never changes the length.
     */
    public byte[] toJson() {
        StringBuilder b = new StringBuilder(256 + 160 * entries.size());
        b.append("{\n");
        field(b, "format", str(format)).append(",\n");
        field(b, "axc_version", str(axcVersion)).append(",\n");
        field(b, "target", str(target)).append(",\n");
        field(b, "target_api_version", str(targetApiVersion)).append(",\n");
        field(b, "device", compact(device)).append(",\n");
        b.append("  \"sources\": {");
        int i = 0;
        for (Map.Entry<String, String> e : sources.entrySet()) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        }
        b.append(sources.isEmpty() ? "},\n" : "\n  },\n");
        field(b, "recipe", recipe == null ? "null" : compact(recipe)).append(",\n");
        field(b, "seed", Long.toString(seed)).append(",\n");
        b.append("  \"passes\": [");
        for (int p = 0; p < passes.size(); p++) b.append(p == 0 ? "" : ", ").append(str(passes.get(p)));
        b.append("],\n");
        b.append("  \"entries\": [");
        for (int e = 0; e < entries.size(); e++) {
            Entry en = entries.get(e);
            b.append(e == 0 ? "\n" : ",\n").append("    {\"name\": ").append(str(en.name()))
                    .append(", \"offset\": ").append(en.offset())
                    .append(", \"size\": ").append(en.size())
                    .append(", \"sha256\": ").append(str(en.sha256())).append('}');
        }
        b.append(entries.isEmpty() ? "]\n" : "\n  ]\n");
        b.append("}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses and checks a manifest: the format must be {@value #FORMAT}, every field of the schema
     * present with its type and no other. Problems are one-line errors naming {@code file}.
     */
    public static Manifest parse(byte[] json, Path file) {
        JsonNode root = Json.parse(json, file + ": " + NAME);
        try {
            if (!root.isObject()) throw new IllegalArgumentException("is not a JSON object");
            JsonNode format = root.get("format");
            if (format == null || !format.isTextual()) throw new IllegalArgumentException("has no \"format\" string");
            if (!FORMAT.equals(format.asText())) {
                throw new IllegalArgumentException("format '" + format.asText() + "' is not supported (this axc reads "
                        + FORMAT + "); use the axc version that wrote it or recompile the model");
            }
            exactKeys(root, KEYS, "");
            JsonNode device = root.get("device");
            if (!device.isObject()) throw new IllegalArgumentException("field \"device\" must be an object");
            TreeMap<String, String> sources = new TreeMap<>();
            JsonNode src = root.get("sources");
            if (!src.isObject()) throw new IllegalArgumentException("field \"sources\" must be an object");
            for (Map.Entry<String, JsonNode> e : src.properties()) {
                if (!e.getValue().isTextual()) throw new IllegalArgumentException("source '" + e.getKey() + "' must map to a sha256 string");
                sources.put(e.getKey(), e.getValue().asText());
            }
            JsonNode seed = root.get("seed");
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) throw new IllegalArgumentException("field \"seed\" must be a 64-bit integer");
            List<String> passes = new ArrayList<>();
            JsonNode ps = root.get("passes");
            if (!ps.isArray()) throw new IllegalArgumentException("field \"passes\" must be an array");
            for (JsonNode p : ps) {
                if (!p.isTextual()) throw new IllegalArgumentException("field \"passes\" must hold strings");
                passes.add(p.asText());
            }
            JsonNode es = root.get("entries");
            if (!es.isArray()) throw new IllegalArgumentException("field \"entries\" must be an array");
            List<Entry> entries = new ArrayList<>();
            for (JsonNode e : es) {
                if (!e.isObject()) throw new IllegalArgumentException("field \"entries\" must hold objects");
                exactKeys(e, ENTRY_KEYS, "entries[" + entries.size() + "].");
                entries.add(new Entry(text(e, "name"), count(e, "offset"), count(e, "size"), text(e, "sha256")));
            }
            JsonNode recipe = root.get("recipe");
            return new Manifest(FORMAT, text(root, "axc_version"), text(root, "target"), text(root, "target_api_version"),
                    (ObjectNode) device, sources, recipe.isNull() ? null : recipe, seed.asLong(), passes, entries);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.of(file, NAME + ": " + e.getMessage());
        }
    }

    private static void exactKeys(JsonNode obj, List<String> keys, String where) {
        Set<String> have = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) have.add(e.getKey());
        for (String k : keys) if (!have.contains(k)) throw new IllegalArgumentException("field \"" + where + k + "\" is missing");
        for (String k : have) if (!keys.contains(k)) throw new IllegalArgumentException("unknown field \"" + where + k + "\"");
    }

    private static String text(JsonNode obj, String key) {
        JsonNode n = obj.get(key);
        if (!n.isTextual()) throw new IllegalArgumentException("field \"" + key + "\" must be a string");
        return n.asText();
    }

    private static long count(JsonNode obj, String key) {
        JsonNode n = obj.get(key);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new IllegalArgumentException("field \"" + key + "\" of entry " + obj.get("name") + " must be a non-negative integer");
        }
        return n.asLong();
    }

    private static void require(String s, String what) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException(what + " is missing");
    }

    private static StringBuilder field(StringBuilder b, String key, String json) {
        return b.append("  \"").append(key).append("\": ").append(json);
    }

    private static String str(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String compact(JsonNode n) {
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The tree with every object's keys sorted and its numbers in the form parsing gives back, so a
     * description built in any order or from any numeric node type renders, and compares, the same.
     */
    static JsonNode canonical(JsonNode n) {
        return Json.parse(compact(sorted(n)).getBytes(StandardCharsets.UTF_8), "canonical JSON");
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) fields.put(e.getKey(), e.getValue());
            fields.forEach((k, v) -> o.set(k, sorted(v)));
            return o;
        }
        if (n.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> a.add(sorted(x)));
            return a;
        }
        return n;
    }
}
