package axc.formats.convert;

import axc.formats.json.Json;
import axc.formats.safetensors.SafetensorsWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the tensors of a Hugging Face folder: one {@code model.safetensors}, or shards of at most
 * {@code maxShardBytes} named {@code model-00001-of-0000N.safetensors} with a
 * {@code model.safetensors.index.json}, as transformers' {@code save_pretrained} does.
 */
public final class HfDirectoryWriter {
    private HfDirectoryWriter() {
    }

    /** Writes into {@code dir} (a temp folder) and returns the file names written. */
    public static List<String> writeTensors(Path dir, List<SafetensorsWriter.Entry> entries, long maxShardBytes) throws IOException {
        Map<String, String> meta = Map.of("format", "pt");
        List<List<SafetensorsWriter.Entry>> shards = shard(entries, maxShardBytes);
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, meta);
            return List.of("model.safetensors");
        }
        List<String> names = new ArrayList<>();
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.putObject("metadata").put("total_size", entries.stream().mapToLong(SafetensorsWriter.Entry::byteSize).sum());
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(name), shards.get(i), meta);
            for (SafetensorsWriter.Entry e : shards.get(i)) map.put(e.name(), name);
            names.add(name);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(index) + "\n");
        names.add("model.safetensors.index.json");
        return names;
    }

    /** Greedy split in order; a tensor larger than the limit gets a shard of its own. */
    static List<List<SafetensorsWriter.Entry>> shard(List<SafetensorsWriter.Entry> entries, long max) {
        List<List<SafetensorsWriter.Entry>> out = new ArrayList<>();
        List<SafetensorsWriter.Entry> cur = new ArrayList<>();
        long size = 0;
        for (SafetensorsWriter.Entry e : entries) {
            if (max > 0 && !cur.isEmpty() && size + e.byteSize() > max) {
                out.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(e);
            size += e.byteSize();
        }
        out.add(cur);
        return out;
    }

    /** Parses sizes such as "500MB", "2GB", "1.5GiB", "4096" (bytes). */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1000"}, {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new axc.errors.InvalidInputException("--max-shard-size: cannot parse '" + s + "' (examples: 500MB, 2GB, 1GiB)");
        }
        if (!(v > 0)) throw new axc.errors.InvalidInputException("--max-shard-size must be positive, got '" + s + "'");
        return (long) (v * mult);
    }
}
