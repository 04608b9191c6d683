package axc.formats.tokenizer;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufValueType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The byte-level BPE tokenizer a GGUF file carries in its {@code tokenizer.*} metadata, read the way
 * llama.cpp reads it for {@code tokenizer.ggml.model = "gpt2"}: token types 1 (normal) make the BPE
 * vocabulary, 3 (control) are special added tokens, 4 (user-defined) are plain added tokens. Rows that
 * only pad the embedding matrix (type 5, or a user-defined {@code [PADn]} with score -1, as llama.cpp's
 * and axc's converters write them) are left out, so the result matches the Hugging Face files the GGUF
 * was made from.
 */
final class GgufTokenizerReader {
    static final String MODEL = "tokenizer.ggml.model";
    static final String PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String TYPES = "tokenizer.ggml.token_type";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String MERGES = "tokenizer.ggml.merges";
    static final String BOS = "tokenizer.ggml.bos_token_id";
    static final String EOS = "tokenizer.ggml.eos_token_id";
    static final String PAD_ID = "tokenizer.ggml.padding_token_id";
    static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;
    private static final Pattern PADDING = Pattern.compile("\\[PAD\\d+]");
    private static final Set<Integer> INTEGER_TYPES = Set.of(
            GgufValueType.UINT8.id(), GgufValueType.INT8.id(), GgufValueType.UINT16.id(), GgufValueType.INT16.id(),
            GgufValueType.UINT32.id(), GgufValueType.INT32.id(), GgufValueType.UINT64.id(), GgufValueType.INT64.id());

    private GgufTokenizerReader() {
    }

    static Tokenizer read(GgufFile g) {
        Path file = g.path();
        String model = string(g, MODEL).orElseThrow(() -> InvalidInputException.of(file, "no " + MODEL + ": the file carries no tokenizer"));
        if (!model.equals("gpt2")) {
            throw unsupported(file, MODEL + " \"" + model + "\" (only \"gpt2\", byte-level BPE)");
        }
        String pre = string(g, PRE).orElseThrow(() -> unsupported(file, "a gpt2 tokenizer without " + PRE
                + " (llama.cpp then guesses a pre-tokenizer; axc needs it named: qwen2 or gpt-2)"));
        Normalization normalization;
        PreTokenizer preTokenizer;
        switch (pre) {
            case "qwen2" -> {
                normalization = Normalization.NFC;
                preTokenizer = PreTokenizer.QWEN2;
            }
            case "gpt-2", "gpt2" -> {
                normalization = Normalization.NONE;
                preTokenizer = PreTokenizer.GPT2;
            }
            default -> throw unsupported(file, PRE + " \"" + pre + "\" (known: qwen2, gpt-2)");
        }

        List<?> tokens = array(g, TOKENS, true).orElseThrow(() -> InvalidInputException.of(file, "gpt2 tokenizer without " + TOKENS));
        int n = tokens.size();
        if (n == 0) throw InvalidInputException.of(file, TOKENS + " is empty");
        if (n - 1 > TokenizerLoader.MAX_ID) throw InvalidInputException.of(file, TOKENS + " has " + n + " entries, more than axc accepts");
        List<?> types = array(g, TYPES, false).orElse(null);
        if (types != null && types.size() != n) {
            throw InvalidInputException.of(file, TYPES + " has " + types.size() + " entries but " + TOKENS + " has " + n);
        }
        List<?> scores = g.meta(SCORES).orElse(null) == null ? null : numbers(g, SCORES);
        if (scores != null && scores.size() != n) {
            throw InvalidInputException.of(file, SCORES + " has " + scores.size() + " entries but " + TOKENS + " has " + n);
        }

        Map<String, Integer> vocab = new HashMap<>(n * 2);
        Map<String, Integer> seen = new HashMap<>(n * 2);
        List<AddedToken> added = new ArrayList<>();
        boolean[] present = new boolean[n];
        for (int i = 0; i < n; i++) {
            String t = (String) tokens.get(i);
            long type = types == null ? NORMAL : ((Number) types.get(i)).longValue();
            boolean padding = type == UNUSED || (type == USER_DEFINED && scores != null
                    && ((Number) scores.get(i)).doubleValue() == -1.0 && PADDING.matcher(t).matches());
            if (padding) continue;
            Integer other = seen.put(t, i);
            if (other != null) throw InvalidInputException.of(file, TOKENS + ": \"" + t + "\" appears at ids " + other + " and " + i);
            present[i] = true;
            switch ((int) Math.max(-1, Math.min(type, 99))) {
                case NORMAL, UNKNOWN -> vocab.put(t, i);
                case CONTROL -> added.add(new AddedToken(i, t, true));
                case USER_DEFINED -> added.add(new AddedToken(i, t, false));
                default -> throw InvalidInputException.of(file, TYPES + "[" + i + "] is " + type
                        + " (expected 1 normal, 2 unknown, 3 control, 4 user-defined or 5 unused)");
            }
        }

        List<?> mergeList = array(g, MERGES, true).orElseThrow(() -> InvalidInputException.of(file, "gpt2 tokenizer without " + MERGES));
        List<String[]> merges = new ArrayList<>(mergeList.size());
        for (int i = 0; i < mergeList.size(); i++) {
            merges.add(TokenizerLoader.splitMerge((String) mergeList.get(i), file, MERGES + "[" + i + "]"));
        }

        String bos = specialToken(g, BOS, tokens, present);
        String eos = specialToken(g, EOS, tokens, present);
        String pad = specialToken(g, PAD_ID, tokens, present);
        String template = string(g, CHAT_TEMPLATE).orElse(null);
        TokenizerConfig config = new TokenizerConfig(null, bos, eos, pad, template, List.copyOf(added), Set.of());
        return TokenizerLoader.fromParts(vocab, merges, added, normalization, preTokenizer, config, file);
    }

    /** The spelling of the token a special-id key names, or null when the key is absent. */
    private static String specialToken(GgufFile g, String key, List<?> tokens, boolean[] present) {
        GgufValue v = g.meta(key).orElse(null);
        if (v == null) return null;
        if (v.isArray() || !(v.value() instanceof Long id)) throw InvalidInputException.of(g.path(), key + " is not an integer: " + v.display());
        if (id < 0 || id >= tokens.size() || !present[(int) (long) id]) {
            throw InvalidInputException.of(g.path(), key + " is " + id + ", which names no token (" + tokens.size() + " tokens, padding rows excluded)");
        }
        return (String) tokens.get((int) (long) id);
    }

    private static Optional<String> string(GgufFile g, String key) {
        GgufValue v = g.meta(key).orElse(null);
        if (v == null) return Optional.empty();
        if (v.type() != GgufValueType.STRING) throw InvalidInputException.of(g.path(), key + " is not a string: " + v.display());
        return Optional.of(v.asString());
    }

    /** A string array ({@code strings}) or an integer array. */
    private static Optional<List<?>> array(GgufFile g, String key, boolean strings) {
        GgufValue v = g.meta(key).orElse(null);
        if (v == null) return Optional.empty();
        boolean ok = v.isArray() && (strings ? v.elementType() == GgufValueType.STRING : INTEGER_TYPES.contains(v.elementType().id()));
        if (!ok) throw InvalidInputException.of(g.path(), key + " is not " + (strings ? "a string" : "an integer") + " array: " + v.display());
        return Optional.of(v.list());
    }

    private static List<?> numbers(GgufFile g, String key) {
        GgufValue v = g.meta(key).orElseThrow();
        if (!v.isArray() || v.elementType() == GgufValueType.STRING || v.elementType() == GgufValueType.BOOL) {
            throw InvalidInputException.of(g.path(), key + " is not a numeric array: " + v.display());
        }
        return v.list();
    }

    private static UnsupportedFeatureException unsupported(Path file, String what) {
        return new UnsupportedFeatureException(file + ": not supported: " + what);
    }
}
