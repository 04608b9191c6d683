package axc.formats.convert;

import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rebuilds Hugging Face tokenizer files (vocab.json, merges.txt, tokenizer_config.json,
 * generation_config.json) from a GGUF's embedded byte-level BPE vocabulary. Padding rows (token type
 * 5, or a {@code [PADn]} user-defined token with score -1) are left out, as the original had none.
 */
public final class GgufHfTokenizer {
    private static final Pattern PAD = Pattern.compile("\\[PAD\\d+]");

    private GgufHfTokenizer() {
    }

    public static void write(GgufFile g, Path dir) throws IOException {
        List<?> tokens = g.meta("tokenizer.ggml.tokens").map(GgufValue::list).orElse(null);
        if (tokens == null || !"gpt2".equals(g.meta("tokenizer.ggml.model").map(GgufValue::asString).orElse(""))) return;
        List<?> types = g.meta("tokenizer.ggml.token_type").map(GgufValue::list).orElse(null);
        List<?> scores = g.meta("tokenizer.ggml.scores").map(GgufValue::list).orElse(null);
        ObjectNode vocab = Json.MAPPER.createObjectNode();
        ObjectNode addedDecoder = Json.MAPPER.createObjectNode();
        for (int i = 0; i < tokens.size(); i++) {
            String t = (String) tokens.get(i);
            int type = types == null ? 1 : (int) ((Number) types.get(i)).longValue();
            boolean pad = type == 5 || (type == 4 && PAD.matcher(t).matches() && scores != null && ((Number) scores.get(i)).doubleValue() == -1.0);
            if (pad) continue;
            if (type == 1) {
                vocab.put(t, i);
            } else {
                ObjectNode a = addedDecoder.putObject(Integer.toString(i));
                a.put("content", t);
                a.put("lstrip", false);
                a.put("normalized", false);
                a.put("rstrip", false);
                a.put("single_word", false);
                a.put("special", type == 3);
            }
        }
        Files.writeString(dir.resolve("vocab.json"), Json.MAPPER.writeValueAsString(vocab));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String m : GgufHfConfig.strings(g, "tokenizer.ggml.merges")) merges.append(m).append('\n');
        Files.writeString(dir.resolve("merges.txt"), merges.toString());
        boolean qwen = "qwen2".equals(g.meta("tokenizer.ggml.pre").map(GgufValue::asString).orElse(""));
        ObjectNode tc = Json.MAPPER.createObjectNode();
        tc.put("add_bos_token", false);
        tc.put("add_prefix_space", false);
        tc.set("added_tokens_decoder", addedDecoder);
        putToken(tc, "bos_token", g, "tokenizer.ggml.bos_token_id", tokens);
        putToken(tc, "eos_token", g, "tokenizer.ggml.eos_token_id", tokens);
        putToken(tc, "pad_token", g, "tokenizer.ggml.padding_token_id", tokens);
        g.meta("tokenizer.chat_template").ifPresent(v -> tc.put("chat_template", v.asString()));
        tc.put("clean_up_tokenization_spaces", false);
        tc.put("errors", "replace");
        tc.put("split_special_tokens", false);
        tc.put("tokenizer_class", qwen ? "Qwen2Tokenizer" : "GPT2Tokenizer");
        tc.putNull("unk_token");
        Files.writeString(dir.resolve("tokenizer_config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tc) + "\n");
        ObjectNode gen = Json.MAPPER.createObjectNode();
        g.meta("tokenizer.ggml.bos_token_id").ifPresent(v -> gen.put("bos_token_id", v.asLong()));
        g.meta("tokenizer.ggml.eos_token_id").ifPresent(v -> {
            ArrayNode eos = gen.putArray("eos_token_id");
            eos.add(v.asLong());
        });
        g.meta("tokenizer.ggml.padding_token_id").ifPresent(v -> gen.put("pad_token_id", v.asLong()));
        Files.writeString(dir.resolve("generation_config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(gen) + "\n");
    }

    private static void putToken(ObjectNode tc, String key, GgufFile g, String metaKey, List<?> tokens) {
        var v = g.meta(metaKey);
        if (v.isPresent() && v.get().asLong() >= 0 && v.get().asLong() < tokens.size()) tc.put(key, (String) tokens.get((int) v.get().asLong()));
        else tc.putNull(key);
    }
}
