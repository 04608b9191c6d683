package axc.runner;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufHfConfig;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tokenizer.Tokenizer;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Opens any model axc runs: a Hugging Face folder or a GGUF file, on the reference forward pass. */
public final class ModelLoader {
    private ModelLoader() {
    }

    public static LoadedModel load(Path path) {
        return load(path, axc.target.TargetOptions.defaults());
    }

    /** As {@link #load(Path)}, an artifact's targets created with {@code options} (threads, settings such as {@code trace}). */
    public static LoadedModel load(Path path, axc.target.TargetOptions options) {
        if (!Files.exists(path)) throw InvalidInputException.of(path, "no such file or directory");
        if (HfCheckpoint.looksLike(path)) return loadHf(path);
        if (ArtifactLoader.looksLike(path)) return ArtifactLoader.load(path, options);
        if (Files.isRegularFile(path) && GgufFile.looksLike(path)) return loadGguf(path);
        if (Files.isDirectory(path)) throw InvalidInputException.of(path, "not a model folder (no config.json)");
        throw InvalidInputException.of(path, "not a Hugging Face folder, a GGUF file or a .axc artifact");
    }

    static LoadedModel loadHf(Path dir) {
        HfCheckpoint ck = HfCheckpoint.open(dir);
        try {
            ReferenceModel model = new ReferenceModel(new Weights(ck.tensors(), ck.config(), dir));
            Tokenizer tok = ck.tokenizer().hasVocabulary() ? Tokenizer.load(dir) : null;
            Set<Integer> stops = new TreeSet<>(ck.config().eosTokenIds());
            ck.tokenizer().path("generation_config.json").ifPresent(p -> stops.addAll(ids(Json.read(p).get("eos_token_id"))));
            if (tok != null) tok.specialTokens().eos().ifPresent(stops::add);
            long bytes = ck.tensors().tensors().stream().mapToLong(TensorInfo::byteSize).sum();
            return new LoadedModel(dir.toAbsolutePath().getFileName().toString(), dir, "hf-safetensors", model, tok, stops, bytes,
                    new ArrayList<>(List.of(ck)));
        } catch (RuntimeException e) {
            ck.close();
            throw e;
        }
    }

    static LoadedModel loadGguf(Path file) {
        GgufFile g = GgufFile.open(file);
        try {
            ModelConfig cfg = GgufHfConfig.modelConfig(g);
            ReferenceModel model = new ReferenceModel(new Weights(g, cfg, file));
            Tokenizer tok = g.meta("tokenizer.ggml.tokens").isPresent() ? Tokenizer.load(file) : null;
            Set<Integer> stops = new TreeSet<>();
            g.meta("tokenizer.ggml.eos_token_id").map(GgufValue::asLong).ifPresent(v -> stops.add((int) (long) v));
            if (tok != null) tok.specialTokens().eos().ifPresent(stops::add);
            return new LoadedModel(file.getFileName().toString(), file, "gguf", model, tok, stops, file.toFile().length(),
                    new ArrayList<>(List.of(g)));
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    private static List<Integer> ids(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isArray()) n.forEach(x -> out.add(x.asInt()));
        else if (n.canConvertToInt()) out.add(n.asInt());
        return out;
    }
}
