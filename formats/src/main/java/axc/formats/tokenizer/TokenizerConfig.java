package axc.formats.tokenizer;

import axc.errors.InvalidInputException;
import axc.formats.hf.TokenizerFiles;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What transformers keeps beside the vocabulary: the tokenizer class (which decides the pre-tokenizer
 * when there is no tokenizer.json), the bos/eos/pad names, added tokens with their special flags, and
 * the chat template. Gathered from tokenizer_config.json, special_tokens_map.json, added_tokens.json and
 * chat_template.jinja, each optional; transformers v5 files without {@code added_tokens_decoder} work.
 *
 * @param tokenizerClass null when no config names one
 * @param addedTokens    by id; empty when the files list none
 * @param specialNames   every token the files call special (used for added_tokens.json, which has no flags)
 */
public record TokenizerConfig(String tokenizerClass, String bos, String eos, String pad, String chatTemplate,
                              List<AddedToken> addedTokens, Set<String> specialNames) {
    public static final TokenizerConfig EMPTY = new TokenizerConfig(null, null, null, null, null, List.of(), Set.of());

    public static TokenizerConfig read(TokenizerFiles files) {
        JsonNode config = files.path("tokenizer_config.json").map(Json::read).orElse(null);
        JsonNode map = files.path("special_tokens_map.json").map(Json::read).orElse(null);
        Path configPath = files.dir().resolve("tokenizer_config.json");

        Set<String> specialNames = new LinkedHashSet<>();
        String bos = null, eos = null, pad = null;
        for (JsonNode n : new JsonNode[] {map, config}) { // config last: it wins
            if (n == null) continue;
            for (String list : new String[] {"additional_special_tokens", "extra_special_tokens"}) {
                JsonNode v = n.get(list);
                if (v == null) continue;
                for (JsonNode e : v) {
                    String s = tokenText(e);
                    if (s != null) specialNames.add(s);
                }
            }
            for (String key : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
                String s = tokenText(n.get(key));
                if (s != null) specialNames.add(s);
            }
            bos = firstNonNull(tokenText(n.get("bos_token")), bos);
            eos = firstNonNull(tokenText(n.get("eos_token")), eos);
            pad = firstNonNull(tokenText(n.get("pad_token")), pad);
        }

        List<AddedToken> added = new ArrayList<>();
        JsonNode decoder = config == null ? null : config.get("added_tokens_decoder");
        if (decoder != null && decoder.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = decoder.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id = parseId(e.getKey(), configPath, "added_tokens_decoder key");
                JsonNode content = e.getValue().get("content");
                if (content == null || !content.isTextual()) {
                    throw InvalidInputException.of(configPath, "added_tokens_decoder[" + e.getKey() + "] has no content string");
                }
                added.add(new AddedToken(id, content.asText(), e.getValue().path("special").asBoolean(false)));
            }
        } else if (files.has("added_tokens.json")) {
            Path p = files.dir().resolve("added_tokens.json");
            JsonNode n = Json.read(p);
            if (!n.isObject()) throw InvalidInputException.of(p, "expected an object of token -> id");
            for (Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id = TokenizerLoader.tokenId(e.getValue(), p, e.getKey());
                added.add(new AddedToken(id, e.getKey(), specialNames.contains(e.getKey())));
            }
        }
        for (AddedToken t : added) if (t.special()) specialNames.add(t.content());

        String template = config == null ? null : chatTemplate(config.get("chat_template"), configPath);
        if (template == null && files.has("chat_template.jinja")) {
            template = InputFiles.readText(files.dir().resolve("chat_template.jinja"));
        }
        String cls = config == null ? null : textOrNull(config.get("tokenizer_class"));
        return new TokenizerConfig(cls, bos, eos, pad, template, List.copyOf(added), Set.copyOf(specialNames));
    }

    /** A string template, or the one named "default" from the list form transformers also writes. */
    private static String chatTemplate(JsonNode n, Path where) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.asText();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if ("default".equals(textOrNull(e.get("name"))) && e.path("template").isTextual()) return e.get("template").asText();
            }
            return null;
        }
        throw InvalidInputException.of(where, "chat_template is neither a string nor a list of named templates");
    }

    /** A token named either as a string or as {"content": ...}. */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.asText();
        if (n.isObject()) return textOrNull(n.get("content"));
        return null;
    }

    private static String textOrNull(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }

    private static int parseId(String s, Path where, String what) {
        try {
            int id = Integer.parseInt(s);
            if (id >= 0 && id <= TokenizerLoader.MAX_ID) return id;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw InvalidInputException.of(where, what + " '" + s + "' is not a token id");
    }
}
