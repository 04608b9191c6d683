package axc.formats.inspect;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufHfConfig;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.hf.TokenizerFiles;
import axc.formats.io.Sha256;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds an {@link InspectReport} for any model axc reads. */
public final class Inspector {
    private Inspector() {
    }

    public static InspectReport inspect(Path path) {
        if (!Files.exists(path)) throw InvalidInputException.of(path, "no such file or directory");
        if (HfCheckpoint.looksLike(path)) return inspectHf(path);
        if (Files.isDirectory(path)) throw InvalidInputException.of(path, "not a model folder (no config.json)");
        // A .gguf that does not start with the magic still goes to the GGUF reader, which says what is wrong.
        if (GgufFile.looksLike(path) || path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) return inspectGguf(path);
        throw InvalidInputException.of(path, "unrecognised model file (expected a Hugging Face folder, a .gguf or a .axc file)");
    }

    static InspectReport inspectHf(Path dir) {
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            ModelConfig c = ck.config();
            List<Path> files = new ArrayList<>();
            files.add(dir.resolve("config.json"));
            files.addAll(ck.tensors().files());
            Path index = dir.resolve("model.safetensors.index.json");
            if (Files.exists(index)) files.add(index);
            files.addAll(ck.tokenizer().paths());
            return new InspectReport(dir.toString(), "hf-safetensors",
                    c.architectures().isEmpty() ? c.modelType() : c.architectures().getFirst(),
                    c.family().name().toLowerCase(), parameters(ck.tensors()), dtypes(ck.tensors()), configHighlights(c),
                    tokenizerSummary(ck.tokenizer()), tensorRows(ck.tensors()), fileRows(dir, files), Map.of());
        }
    }

    static InspectReport inspectGguf(Path file) {
        try (GgufFile g = GgufFile.open(file)) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, GgufValue> e : g.metadata().entrySet()) meta.put(e.getKey(), e.getValue().display());
            String family;
            Map<String, Object> config;
            try {
                config = configHighlights(GgufHfConfig.modelConfig(g));
                family = GgufHfConfig.family(g).name().toLowerCase();
            } catch (RuntimeException e) {
                config = Map.of();
                family = "unknown";
            }
            Map<String, Object> tok = new LinkedHashMap<>();
            g.meta("tokenizer.ggml.model").ifPresent(v -> tok.put("kind", "gguf:" + v.asString()));
            g.meta("tokenizer.ggml.pre").ifPresent(v -> tok.put("pre", v.asString()));
            g.meta("tokenizer.ggml.tokens").ifPresent(v -> tok.put("tokens", v.list().size()));
            g.meta("tokenizer.ggml.merges").ifPresent(v -> tok.put("merges", v.list().size()));
            g.meta("tokenizer.ggml.eos_token_id").ifPresent(v -> tok.put("eos_token_id", v.asLong()));
            tok.put("chat_template", g.meta("tokenizer.chat_template").isPresent());
            Path base = file.toAbsolutePath().getParent();
            return new InspectReport(file.toString(), "gguf", g.architecture(), family, parameters(g), dtypes(g), config, tok,
                    tensorRows(g), fileRows(base, List.of(file.toAbsolutePath())), meta);
        }
    }

    public static long parameters(TensorStore s) {
        long n = 0;
        for (TensorInfo t : s.tensors()) n += t.elements();
        return n;
    }

    public static Map<String, Integer> dtypes(TensorStore s) {
        Map<String, Integer> m = new TreeMap<>();
        for (TensorInfo t : s.tensors()) m.merge(t.dtype().name(), 1, Integer::sum);
        return m;
    }

    public static List<InspectReport.TensorRow> tensorRows(TensorStore s) {
        return s.tensors().stream().map(t -> new InspectReport.TensorRow(t.name(), t.dtype().name(), t.shape(), t.byteSize())).toList();
    }

    public static Map<String, Object> configHighlights(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("num_key_value_heads", c.numKvHeads());
        m.put("head_dim", c.headDim());
        m.put("intermediate_size", c.intermediateSize());
        m.put("vocab_size", c.vocabSize());
        m.put("rms_norm_eps", c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("torch_dtype", c.torchDtype());
        return m;
    }

    static Map<String, Object> tokenizerSummary(TokenizerFiles t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", t.names());
        if (t.has("tokenizer.json")) {
            m.put("kind", "tokenizer.json");
        } else if (t.has("vocab.json") && t.has("merges.txt")) {
            m.put("kind", "vocab.json+merges.txt");
        } else {
            m.put("kind", "none");
        }
        t.path("tokenizer_config.json").ifPresent(p -> {
            JsonNode c = Json.read(p);
            if (c.hasNonNull("tokenizer_class")) m.put("class", c.get("tokenizer_class").asText());
            for (String k : List.of("bos_token", "eos_token", "pad_token")) {
                JsonNode v = c.get(k);
                if (v != null && !v.isNull()) m.put(k, v.isTextual() ? v.asText() : v.path("content").asText());
            }
            JsonNode added = c.get("added_tokens_decoder");
            if (added != null && added.isObject()) m.put("added_tokens", added.size());
            m.put("chat_template", c.hasNonNull("chat_template"));
        });
        return m;
    }

    static List<InspectReport.FileRow> fileRows(Path base, List<Path> files) {
        List<InspectReport.FileRow> rows = new ArrayList<>();
        for (Path f : files) {
            try {
                rows.add(new InspectReport.FileRow(base.relativize(f).toString(), Files.size(f), Sha256.of(f)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return rows;
    }
}
