package axc.compile;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufHfConfig;
import axc.formats.convert.GgufHfTokenizer;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.io.AtomicOutput;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import axc.formats.tensor.TensorStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The checkpoint a compile starts from (a Hugging Face folder or a GGUF file): config, tensors, the
 * source files to record in the manifest, and the tokenizer and config files the artifact carries.
 */
public final class SourceModel implements AutoCloseable {
    private final Path path;
    private final ModelConfig config;
    private final TensorStore tensors;
    private final byte[] configJson;
    private final Map<String, byte[]> tokenizerFiles;
    private final List<Path> files;
    private final AutoCloseable owner;

    private SourceModel(Path path, ModelConfig config, TensorStore tensors, byte[] configJson, Map<String, byte[]> tokenizerFiles,
                        List<Path> files, AutoCloseable owner) {
        this.path = path;
        this.config = config;
        this.tensors = tensors;
        this.configJson = configJson;
        this.tokenizerFiles = tokenizerFiles;
        this.files = files;
        this.owner = owner;
    }

    public static SourceModel open(Path in) {
        if (!Files.exists(in)) throw InvalidInputException.of(in, "no such file or directory");
        try {
            if (HfCheckpoint.looksLike(in)) {
                HfCheckpoint ck = HfCheckpoint.open(in);
                Map<String, byte[]> tok = new LinkedHashMap<>();
                for (Path p : ck.tokenizer().paths()) tok.put(p.getFileName().toString(), InputFiles.readSmall(p));
                List<Path> files = new ArrayList<>();
                files.add(in.resolve("config.json"));
                files.addAll(ck.tensors().files());
                files.addAll(ck.tokenizer().paths());
                return new SourceModel(in, ck.config(), ck.tensors(), InputFiles.readSmall(in.resolve("config.json")), tok, files, ck);
            }
            if (Files.isRegularFile(in) && GgufFile.looksLike(in)) {
                GgufFile g = GgufFile.open(in);
                Path tmp = Files.createTempDirectory("axc-tok");
                Map<String, byte[]> tok = new LinkedHashMap<>();
                try {
                    GgufHfTokenizer.write(g, tmp);
                    try (Stream<Path> s = Files.list(tmp)) {
                        for (Path p : s.sorted().toList()) tok.put(p.getFileName().toString(), InputFiles.readSmall(p));
                    }
                } finally {
                    AtomicOutput.deleteQuietly(tmp);
                }
                byte[] cfg = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(GgufHfConfig.of(g, "float32"));
                return new SourceModel(in, GgufHfConfig.modelConfig(g), g, cfg, tok, List.of(in), g);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (HfCheckpoint.looksLikePickle(in)) throw HfCheckpoint.pickleRefused(in);
        throw InvalidInputException.of(in, "not a Hugging Face folder (config.json) or a GGUF file");
    }

    public Path path() {
        return path;
    }

    public ModelConfig config() {
        return config;
    }

    public TensorStore tensors() {
        return tensors;
    }

    public byte[] configJson() {
        return configJson;
    }

    /** Tokenizer and generation files by name, in a fixed order. */
    public Map<String, byte[]> tokenizerFiles() {
        return tokenizerFiles;
    }

    public List<Path> files() {
        return files;
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception ignored) {
            // closing mappings
        }
    }
}
