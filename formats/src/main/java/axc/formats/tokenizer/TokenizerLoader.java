package axc.formats.tokenizer;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.TokenizerFiles;
import axc.formats.io.InputFiles;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Builds a {@link Tokenizer} from Hugging Face files. Only byte-level BPE is accepted; anything else a
 * tokenizer.json may declare (WordPiece, byte fallback, prefix spaces) is refused by name rather than
 * approximated, because a tokenizer that is slightly wrong corrupts every prompt silently.
 */
public final class TokenizerLoader {
    /** Ids beyond this are refused: no real vocabulary comes near, and the id tables are dense. */
    public static final int MAX_ID = (1 << 24) - 1;

    private TokenizerLoader() {
    }

    static Tokenizer load(TokenizerFiles files) {
        TokenizerConfig config = TokenizerConfig.read(files);
        if (files.has("tokenizer.json")) return fromTokenizerJson(files.dir().resolve("tokenizer.json"), config);
        if (files.has("vocab.json") && files.has("merges.txt")) {
            return fromVocabAndMerges(files.dir().resolve("vocab.json"), files.dir().resolve("merges.txt"), config);
        }
        throw InvalidInputException.of(files.dir(), "no tokenizer: needs tokenizer.json, or vocab.json with merges.txt");
    }

    /** A tokenizer.json; {@code config} supplies bos/eos/pad and the chat template (use {@link TokenizerConfig#EMPTY} for none). */
    public static Tokenizer fromTokenizerJson(Path file, TokenizerConfig config) {
        JsonNode root = Json.read(file);
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) throw InvalidInputException.of(file, "no \"model\" object");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw unsupported(file, "tokenizer model type " + type + " (only byte-level BPE)");
        if (model.path("byte_fallback").asBoolean(false)) throw unsupported(file, "BPE byte_fallback");
        for (String k : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(k).asText("").isEmpty()) throw unsupported(file, "BPE " + k);
        }
        Map<String, Integer> vocab = readVocab(model.get("vocab"), file);

        JsonNode mergesNode = model.get("merges");
        if (mergesNode == null || !mergesNode.isArray()) throw InvalidInputException.of(file, "model.merges is missing or not a list");
        List<String[]> merges = new ArrayList<>(mergesNode.size());
        int line = 0;
        for (JsonNode m : mergesNode) {
            line++;
            if (m.isTextual()) {
                merges.add(splitMerge(m.asText(), file, "merge " + line));
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                throw InvalidInputException.of(file, "merge " + line + " is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }

        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.get("added_tokens");
        if (addedNode != null && !addedNode.isNull()) {
            if (!addedNode.isArray()) throw InvalidInputException.of(file, "added_tokens is not a list");
            for (JsonNode t : addedNode) {
                JsonNode content = t.get("content");
                if (content == null || !content.isTextual()) throw InvalidInputException.of(file, "an added token has no content string");
                added.add(new AddedToken(tokenId(t.get("id"), file, content.asText()), content.asText(), t.path("special").asBoolean(false)));
            }
        }

        Normalization normalization = readNormalizer(root.get("normalizer"), file);
        PreTokenizer pre = readPreTokenizer(root.get("pre_tokenizer"), file);
        BpeModel bpe = buildModel(vocab, merges, model.path("ignore_merges").asBoolean(false), file);
        return new Tokenizer(vocab, added, bpe, normalization, pre, config.bos(), config.eos(), config.pad(), config.chatTemplate());
    }

    /**
     * vocab.json + merges.txt, the form transformers' slow tokenizers read. The pre-tokenizer follows
     * {@code config.tokenizerClass()}: GPT2Tokenizer means the GPT-2 regex with no normalization;
     * Qwen2Tokenizer, or no class at all, means the Qwen2 regex with NFC.
     */
    public static Tokenizer fromVocabAndMerges(Path vocabFile, Path mergesFile, TokenizerConfig config) {
        Map<String, Integer> vocab = readVocab(Json.read(vocabFile), vocabFile);
        List<String[]> merges = readMergesTxt(mergesFile);
        String cls = config.tokenizerClass();
        Normalization normalization;
        PreTokenizer pre;
        if (cls == null || cls.startsWith("Qwen2Tokenizer")) {
            normalization = Normalization.NFC;
            pre = PreTokenizer.QWEN2;
        } else if (cls.startsWith("GPT2Tokenizer")) {
            normalization = Normalization.NONE;
            pre = PreTokenizer.GPT2;
        } else {
            throw unsupported(vocabFile.resolveSibling("tokenizer_config.json"),
                    "tokenizer_class " + cls + " without tokenizer.json (known: Qwen2Tokenizer, GPT2Tokenizer)");
        }
        BpeModel bpe = buildModel(vocab, merges, false, mergesFile);
        return new Tokenizer(vocab, config.addedTokens(), bpe, normalization, pre, config.bos(), config.eos(), config.pad(),
                config.chatTemplate());
    }

    /**
     * The tokenizer embedded in a GGUF file's {@code tokenizer.*} metadata. Only byte-level BPE
     * ({@code tokenizer.ggml.model = "gpt2"}) with the {@code qwen2} or {@code gpt-2} pre-tokenizer is
     * accepted; padding rows past the real vocabulary are left out.
     */
    public static Tokenizer fromGguf(GgufFile gguf) {
        return GgufTokenizerReader.read(gguf);
    }

    static Tokenizer fromParts(Map<String, Integer> vocab, List<String[]> merges, List<AddedToken> added,
                               Normalization normalization, PreTokenizer pre, TokenizerConfig config, Path source) {
        for (String[] m : merges) {
            if (m.length != 2) throw InvalidInputException.of(source, "a merge is not a pair: " + String.join(" ", m));
        }
        BpeModel bpe = buildModel(Map.copyOf(vocab), merges, false, source);
        return new Tokenizer(Map.copyOf(vocab), List.copyOf(added), bpe, normalization, pre, config.bos(), config.eos(), config.pad(),
                config.chatTemplate());
    }

    static List<String[]> readMergesTxt(Path file) {
        List<String> lines = InputFiles.readLines(file);
        List<String[]> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            // "#version: 0.2" heads most files; Qwen3-4B's copy omits it. Blank lines carry nothing.
            if ((i == 0 && l.startsWith("#version")) || l.isEmpty()) continue;
            merges.add(splitMerge(l, file, "line " + (i + 1)));
        }
        return merges;
    }

    static String[] splitMerge(String s, Path file, String where) {
        int sp = s.indexOf(' ');
        if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
            throw InvalidInputException.of(file, where + " is not two tokens separated by one space: \"" + s + "\"");
        }
        return new String[] {s.substring(0, sp), s.substring(sp + 1)};
    }

    private static Map<String, Integer> readVocab(JsonNode node, Path file) {
        if (node == null || !node.isObject()) throw InvalidInputException.of(file, "vocabulary is missing or not an object of token -> id");
        if (node.isEmpty()) throw InvalidInputException.of(file, "vocabulary is empty");
        Map<String, Integer> vocab = new HashMap<>(node.size() * 2);
        Map<Integer, String> seen = new HashMap<>(node.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = tokenId(e.getValue(), file, e.getKey());
            String other = seen.put(id, e.getKey());
            if (other != null) throw InvalidInputException.of(file, "id " + id + " is given to both \"" + other + "\" and \"" + e.getKey() + "\"");
            vocab.put(e.getKey(), id);
        }
        return vocab;
    }

    /** {@code n} as a token id in 0..{@link #MAX_ID}, or a one-line error naming {@code file} and {@code token}. */
    public static int tokenId(JsonNode n, Path file, String token) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0 || n.asInt() > MAX_ID) {
            throw InvalidInputException.of(file, "token \"" + token + "\" has id " + n + ", not an integer in 0.." + MAX_ID);
        }
        return n.asInt();
    }

    private static BpeModel buildModel(Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges, Path mergesFile) {
        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw InvalidInputException.of(mergesFile, String.format(
                        "vocabulary has no token for byte 0x%02X (\"%c\"): not a byte-level BPE vocabulary", b, ByteLevel.charOf(b)));
            }
            byteIds[b] = id;
        }
        MergeTable table = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer left = vocab.get(m[0]);
            Integer right = vocab.get(m[1]);
            Integer merged = vocab.get(m[0] + m[1]);
            String missing = left == null ? m[0] : right == null ? m[1] : merged == null ? m[0] + m[1] : null;
            if (missing != null) {
                throw InvalidInputException.of(mergesFile, "merge " + (rank + 1) + " (\"" + m[0] + " " + m[1]
                        + "\") refers to \"" + missing + "\", which is not in the vocabulary");
            }
            table.put(left, right, rank, merged);
        }
        return new BpeModel(vocab, byteIds, table, ignoreMerges);
    }

    private static Normalization readNormalizer(JsonNode n, Path file) {
        if (n == null || n.isNull()) return Normalization.NONE;
        String type = n.path("type").asText("");
        if (type.equals("NFC")) return Normalization.NFC;
        if (type.equals("Sequence")) {
            Normalization result = Normalization.NONE;
            for (JsonNode step : n.path("normalizers")) {
                Normalization s = readNormalizer(step, file);
                if (s != Normalization.NONE) {
                    if (result != Normalization.NONE) throw unsupported(file, "more than one normalizer step");
                    result = s;
                }
            }
            return result;
        }
        throw unsupported(file, "normalizer " + (type.isEmpty() ? n.toString() : type) + " (only NFC or none)");
    }

    private static PreTokenizer readPreTokenizer(JsonNode n, Path file) {
        if (n == null || n.isNull()) throw unsupported(file, "a BPE tokenizer without a pre_tokenizer");
        String type = n.path("type").asText("");
        if (type.equals("ByteLevel")) {
            checkByteLevel(n, file);
            if (!n.path("use_regex").asBoolean(true)) throw unsupported(file, "ByteLevel pre-tokenizer with use_regex=false and no Split before it");
            return PreTokenizer.GPT2;
        }
        if (type.equals("Sequence")) {
            JsonNode steps = n.path("pretokenizers");
            if (steps.size() == 2 && steps.get(0).path("type").asText("").equals("Split")
                    && steps.get(1).path("type").asText("").equals("ByteLevel")) {
                JsonNode split = steps.get(0);
                JsonNode byteLevel = steps.get(1);
                checkByteLevel(byteLevel, file);
                if (byteLevel.path("use_regex").asBoolean(true)) throw unsupported(file, "Split followed by a ByteLevel that splits again (use_regex=true)");
                if (!split.path("behavior").asText("").equals("Isolated") || split.path("invert").asBoolean(false)) {
                    throw unsupported(file, "Split pre-tokenizer other than behavior Isolated, invert false");
                }
                JsonNode pattern = split.path("pattern");
                try {
                    if (pattern.path("Regex").isTextual()) {
                        try {
                            return PreTokenizer.ofPattern(pattern.get("Regex").asText());
                        } catch (java.util.regex.PatternSyntaxException e) {
                            throw InvalidInputException.of(file, "pre_tokenizer Split pattern is not a valid regular expression: "
                                    + e.getDescription() + " at index " + e.getIndex());
                        }
                    }
                    if (pattern.path("String").isTextual()) return PreTokenizer.ofPattern(java.util.regex.Pattern.quote(pattern.get("String").asText()));
                } catch (PatternSyntaxException e) {
                    throw InvalidInputException.of(file, "pre-tokenizer regex does not compile: " + Json.firstLine(e.getMessage()));
                }
                throw InvalidInputException.of(file, "Split pre-tokenizer has no Regex or String pattern");
            }
            if (steps.size() == 1) return readPreTokenizer(steps.get(0), file);
        }
        throw unsupported(file, "pre_tokenizer " + Json.firstLine(n.toString()) + " (known: Sequence[Split(Regex), ByteLevel], ByteLevel)");
    }

    private static void checkByteLevel(JsonNode n, Path file) {
        if (n.path("add_prefix_space").asBoolean(false)) throw unsupported(file, "ByteLevel add_prefix_space=true");
    }

    private static UnsupportedFeatureException unsupported(Path file, String what) {
        return new UnsupportedFeatureException(file + ": not supported: " + what);
    }
}
