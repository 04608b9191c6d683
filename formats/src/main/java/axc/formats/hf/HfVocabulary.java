package axc.formats.hf;

import axc.errors.InvalidInputException;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import axc.formats.tokenizer.TokenizerLoader;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A checkpoint's vocabulary as data: every token string by id, the BPE merges in rank order, which
 * tokens are added (and which of those special), the special-token ids and the chat template. Read
 * from {@code tokenizer.json} or from {@code vocab.json} + {@code merges.txt} +
 * {@code tokenizer_config.json} / {@code added_tokens.json}; this is what conversions embed in GGUF.
 * Encoding text is the tokenizer's job, not this class's.
 */
public record HfVocabulary(
        List<String> tokens,
        List<String> merges,
        Map<Integer, Boolean> added,
        Integer bosId,
        Integer eosId,
        Integer padId,
        String chatTemplate,
        String tokenizerClass) {

    public int size() {
        return tokens.size();
    }

    public boolean isAdded(int id) {
        return added.containsKey(id);
    }

    public boolean isSpecial(int id) {
        return Boolean.TRUE.equals(added.get(id));
    }

    public Optional<Integer> id(String token) {
        int i = tokens.indexOf(token);
        return i < 0 ? Optional.empty() : Optional.of(i);
    }

    public static HfVocabulary read(TokenizerFiles files, ModelConfig config) {
        Map<Integer, String> byId = new TreeMap<>();
        List<String> merges;
        Map<Integer, Boolean> added = new TreeMap<>();
        if (files.has("tokenizer.json")) {
            Path p = files.path("tokenizer.json").orElseThrow();
            JsonNode tj = Json.read(p);
            JsonNode model = tj.path("model");
            if (!model.path("type").asText("BPE").equals("BPE")) {
                throw new axc.errors.UnsupportedFeatureException(p + ": key 'model.type': tokenizer model '" + model.path("type").asText() + "' is not BPE");
            }
            readVocab(p, model.get("vocab"), byId);
            merges = readMerges(p, model.get("merges"));
            JsonNode at = tj.get("added_tokens");
            if (at != null && at.isArray()) {
                for (JsonNode t : at) {
                    JsonNode content = t.get("content");
                    if (content == null || !content.isTextual()) throw InvalidInputException.of(p, "an added token has no content string");
                    int id = TokenizerLoader.tokenId(t.get("id"), p, content.asText());
                    byId.put(id, content.asText());
                    added.put(id, t.path("special").asBoolean(false));
                }
            }
        } else if (files.has("vocab.json") && files.has("merges.txt")) {
            Path vp = files.path("vocab.json").orElseThrow();
            readVocab(vp, Json.read(vp), byId);
            merges = readMergesTxt(files.path("merges.txt").orElseThrow());
        } else {
            throw InvalidInputException.of(files.dir(), "no tokenizer: expected tokenizer.json, or vocab.json with merges.txt");
        }
        JsonNode tc = files.path("tokenizer_config.json").map(Json::read).orElse(null);
        if (tc != null && tc.path("added_tokens_decoder").isObject()) {
            Path p = files.path("tokenizer_config.json").orElseThrow();
            for (Map.Entry<String, JsonNode> e : tc.get("added_tokens_decoder").properties()) {
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException x) {
                    throw InvalidInputException.of(p, "added_tokens_decoder key '" + e.getKey() + "' is not a token id");
                }
                if (id < 0 || id > TokenizerLoader.MAX_ID) throw InvalidInputException.of(p, "added_tokens_decoder id " + id + " is not in 0.." + TokenizerLoader.MAX_ID);
                byId.put(id, e.getValue().path("content").asText());
                added.put(id, e.getValue().path("special").asBoolean(false));
            }
        }
        files.path("added_tokens.json").ifPresent(p -> {
            for (Map.Entry<String, JsonNode> e : Json.read(p).properties()) {
                int id = TokenizerLoader.tokenId(e.getValue(), p, e.getKey());
                byId.putIfAbsent(id, e.getKey());
                added.putIfAbsent(id, false);
            }
        });
        List<String> tokens = dense(files.path("tokenizer.json").or(() -> files.path("vocab.json")).orElse(files.dir()), byId);
        String template = tc == null ? null : tc.hasNonNull("chat_template") && tc.get("chat_template").isTextual() ? tc.get("chat_template").asText() : null;
        if (template == null) {
            Path jinja = files.dir().resolve("chat_template.jinja");
            if (Files.exists(jinja)) template = InputFiles.readText(jinja);
        }
        Integer eos = specialId(tc, "eos_token", tokens);
        if (eos == null && config != null && !config.eosTokenIds().isEmpty()) eos = config.eosTokenIds().getFirst();
        Integer pad = specialId(tc, "pad_token", tokens);
        Integer bos = specialId(tc, "bos_token", tokens);
        if (bos == null && config != null) bos = config.bosTokenId();
        String cls = tc == null ? null : tc.path("tokenizer_class").asText(null);
        return new HfVocabulary(Collections.unmodifiableList(tokens), Collections.unmodifiableList(merges),
                Collections.unmodifiableMap(added), bos, eos, pad, template, cls);
    }

    private static Integer specialId(JsonNode tc, String key, List<String> tokens) {
        if (tc == null) return null;
        JsonNode v = tc.get(key);
        if (v == null || v.isNull()) return null;
        String s = v.isTextual() ? v.asText() : v.path("content").asText(null);
        if (s == null) return null;
        int i = tokens.indexOf(s);
        return i < 0 ? null : i;
    }

    private static void readVocab(Path p, JsonNode vocab, Map<Integer, String> byId) {
        if (vocab == null || !vocab.isObject()) throw InvalidInputException.of(p, "vocabulary is not a JSON object of token -> id");
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            int id = TokenizerLoader.tokenId(e.getValue(), p, e.getKey());
            String prev = byId.put(id, e.getKey());
            if (prev != null) throw InvalidInputException.of(p, "id " + id + " is given to both '" + prev + "' and '" + e.getKey() + "'");
        }
    }

    private static List<String> readMerges(Path p, JsonNode merges) {
        List<String> out = new ArrayList<>();
        if (merges == null) return out;
        if (!merges.isArray()) throw InvalidInputException.of(p, "model.merges is not an array");
        for (JsonNode m : merges) {
            if (m.isTextual()) {
                out.add(m.asText());
            } else if (m.isArray() && m.size() == 2) {
                out.add(m.get(0).asText() + " " + m.get(1).asText());
            } else {
                throw InvalidInputException.of(p, "bad merge entry " + m);
            }
        }
        return out;
    }

    static List<String> readMergesTxt(Path p) {
        List<String> out = new ArrayList<>();
        for (String line : InputFiles.readLines(p)) {
            if (line.startsWith("#version") || line.isEmpty()) continue;
            if (line.indexOf(' ') <= 0) throw InvalidInputException.of(p, "line " + (out.size() + 1) + " is not a merge 'a b': " + line);
            out.add(line);
        }
        return out;
    }

    private static List<String> dense(Path dir, Map<Integer, String> byId) {
        if (byId.isEmpty()) throw InvalidInputException.of(dir, "empty vocabulary");
        int max = ((TreeMap<Integer, String>) byId).lastKey();
        if (max > 10_000_000) throw InvalidInputException.of(dir, "token id " + max + " is implausibly large");
        List<String> tokens = new ArrayList<>(max + 1);
        for (int i = 0; i <= max; i++) {
            String t = byId.get(i);
            if (t == null) throw InvalidInputException.of(dir, "token ids are not contiguous: id " + i + " is missing");
            tokens.add(t);
        }
        return tokens;
    }
}
