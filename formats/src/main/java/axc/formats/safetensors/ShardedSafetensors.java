package axc.formats.safetensors;

import axc.errors.InvalidInputException;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import com.fasterxml.jackson.databind.JsonNode;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A checkpoint split over several safetensors files by a {@code model.safetensors.index.json}. Shard
 * names must be plain file names inside the checkpoint folder; every tensor the index names must be in
 * the shard it names, and every tensor of a shard must be in the index.
 */
public final class ShardedSafetensors implements TensorStore {
    public static final String INDEX = "model.safetensors.index.json";

    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> owner;
    private final List<TensorInfo> tensors;

    private ShardedSafetensors(List<SafetensorsFile> shards, Map<String, SafetensorsFile> owner, List<TensorInfo> tensors) {
        this.shards = shards;
        this.owner = owner;
        this.tensors = tensors;
    }

    public static ShardedSafetensors open(Path indexFile) {
        JsonNode root = Json.read(indexFile);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) throw InvalidInputException.of(indexFile, "missing weight_map object");
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, String> tensorToShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) throw InvalidInputException.of(indexFile, "weight_map." + e.getKey() + " is not a file name");
            String shard = e.getValue().asText();
            checkShardName(indexFile, shard);
            tensorToShard.put(e.getKey(), shard);
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (String shard : new TreeSet<>(tensorToShard.values())) {
                Path p = dir.resolve(shard);
                if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw InvalidInputException.of(indexFile, "shard " + shard + " named in the index does not exist");
                }
                InputFiles.requireInside(dir, p, indexFile, "shard " + shard);
                SafetensorsFile f = SafetensorsFile.open(p);
                opened.add(f);
                byName.put(shard, f);
            }
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            List<TensorInfo> tensors = new ArrayList<>();
            for (SafetensorsFile f : opened) {
                String shard = f.path().getFileName().toString();
                for (TensorInfo t : f.tensors()) {
                    String listed = tensorToShard.get(t.name());
                    if (listed == null) throw InvalidInputException.of(f.path(), "tensor " + t.name() + " is not listed in " + INDEX);
                    if (!listed.equals(shard)) throw InvalidInputException.of(f.path(), "tensor " + t.name() + " is listed in shard " + listed + " but found in " + shard);
                    owner.put(t.name(), f);
                    tensors.add(t);
                }
            }
            for (Map.Entry<String, String> e : tensorToShard.entrySet()) {
                if (!owner.containsKey(e.getKey())) {
                    throw InvalidInputException.of(dir.resolve(e.getValue()), "tensor " + e.getKey() + " listed in " + INDEX + " is missing from this shard");
                }
            }
            return new ShardedSafetensors(List.copyOf(opened), owner, List.copyOf(tensors));
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    static void checkShardName(Path indexFile, String shard) {
        if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")
                || shard.contains("\0") || Path.of(shard).isAbsolute()) {
            throw InvalidInputException.of(indexFile, "shard name '" + shard + "' is not a plain file name in the checkpoint folder");
        }
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? Optional.empty() : f.find(name);
    }

    @Override
    public MemorySegment data(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) throw new IllegalArgumentException("no tensor " + name);
        return f.data(name);
    }

    @Override
    public Optional<FileRegion> region(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? Optional.empty() : f.region(name);
    }

    @Override
    public List<Path> files() {
        return shards.stream().map(SafetensorsFile::path).toList();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
