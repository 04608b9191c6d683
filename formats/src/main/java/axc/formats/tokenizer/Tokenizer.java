package axc.formats.tokenizer;

import axc.formats.gguf.GgufFile;
import axc.formats.hf.TokenizerFiles;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer as Hugging Face's {@code tokenizers} runs it for Qwen and GPT-2 style
 * vocabularies: added tokens are split out of the raw text, the rest is normalized, pre-tokenized by
 * regex, and each piece is merged by rank. {@link #encode} adds no BOS/EOS, like
 * {@code add_special_tokens=False}. Immutable and safe to share between threads.
 */
public final class Tokenizer {
    private final Map<String, Integer> vocab;
    private final Map<String, AddedToken> added;
    private final String[] pieces;
    private final byte[][] bytes;
    private final boolean[] special;
    private final BpeModel model;
    private final AddedTokenMatcher matcher;
    private final Normalization normalization;
    private final PreTokenizer preTokenizer;
    private final SpecialTokens specialTokens;
    private final String chatTemplate;

    Tokenizer(Map<String, Integer> vocab, List<AddedToken> addedTokens, BpeModel model, Normalization normalization,
              PreTokenizer preTokenizer, String bos, String eos, String pad, String chatTemplate) {
        this.vocab = vocab;
        this.model = model;
        this.normalization = normalization;
        this.preTokenizer = preTokenizer;
        this.chatTemplate = chatTemplate;
        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedToken t : addedTokens) size = Math.max(size, t.id() + 1);
        pieces = new String[size];
        bytes = new byte[size][];
        special = new boolean[size];
        vocab.forEach((piece, id) -> pieces[id] = piece);
        Map<String, AddedToken> byContent = new java.util.LinkedHashMap<>();
        for (AddedToken t : addedTokens) {
            pieces[t.id()] = t.content();
            special[t.id()] = t.special();
            byContent.put(t.content(), t);
        }
        for (int i = 0; i < size; i++) if (pieces[i] != null) bytes[i] = ByteLevel.decode(pieces[i]);
        this.added = Collections.unmodifiableMap(byContent);
        this.matcher = new AddedTokenMatcher(addedTokens);
        this.specialTokens = new SpecialTokens(idOf(bos), idOf(eos), idOf(pad),
                tokenId(SpecialTokens.IM_START), tokenId(SpecialTokens.IM_END), tokenId(SpecialTokens.END_OF_TEXT));
    }

    /**
     * Loads the tokenizer of a model directory (tokenizer.json if present, else vocab.json + merges.txt)
     * or the one embedded in a GGUF file.
     */
    public static Tokenizer load(Path modelDirOrGguf) {
        if (Files.isRegularFile(modelDirOrGguf) && GgufFile.looksLike(modelDirOrGguf)) {
            try (GgufFile gguf = GgufFile.open(modelDirOrGguf)) {
                return fromGguf(gguf);
            }
        }
        return TokenizerLoader.load(TokenizerFiles.scan(modelDirOrGguf));
    }

    /** The tokenizer in a GGUF file's metadata; see {@link TokenizerLoader#fromGguf}. */
    public static Tokenizer fromGguf(GgufFile gguf) {
        return TokenizerLoader.fromGguf(gguf);
    }

    public static Tokenizer load(TokenizerFiles files) {
        return TokenizerLoader.load(files);
    }

    /**
     * A tokenizer from parts already read elsewhere (a GGUF file's tokenizer arrays, say).
     * {@code merges} are pairs in rank order; {@code source} names where they came from in errors.
     */
    public static Tokenizer of(Map<String, Integer> vocab, List<String[]> merges, List<AddedToken> addedTokens,
                               Normalization normalization, PreTokenizer preTokenizer, TokenizerConfig config, Path source) {
        return TokenizerLoader.fromParts(vocab, merges, addedTokens, normalization, preTokenizer, config, source);
    }

    /** Text to ids. */
    public int[] encode(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 8);
        int pos = 0;
        while (pos <= text.length()) {
            AddedTokenMatcher.Match m = matcher.isEmpty() ? null : matcher.find(text, pos);
            int end = m == null ? text.length() : m.start();
            if (end > pos) encodePlain(text.substring(pos, end), out);
            if (m == null) break;
            out.add(m.token().id());
            pos = m.end();
        }
        return out.toArray();
    }

    /** Text that contains no added tokens, or whose added-token spellings are to be read as plain text. */
    public int[] encodeOrdinary(String text) {
        IntBuffer out = new IntBuffer(text.length() / 3 + 8);
        encodePlain(text, out);
        return out.toArray();
    }

    private void encodePlain(String segment, IntBuffer out) {
        String s = normalization.apply(segment);
        preTokenizer.split(s, (a, b) -> model.encode(s.substring(a, b), out));
    }

    /** Ids to text. Ids with no token (padding rows past the vocabulary) are skipped, as Hugging Face does. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            byte[] b = bytesOf(id);
            if (b != null && !(skipSpecial && special[id])) out.writeBytes(b);
        }
        byte[] all = out.toByteArray();
        return Utf8.decode(all, 0, all.length);
    }

    /** A decoder that turns ids into text one at a time; see {@link StreamingDecoder}. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this);
    }

    /** The bytes a token stands for, or null for an id with no token. */
    byte[] bytesOf(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }

    /** A copy of the bytes a token stands for (a lone token may end inside a UTF-8 sequence); empty for an id with no token. */
    public byte[] tokenBytes(int id) {
        byte[] b = bytesOf(id);
        return b == null ? new byte[0] : b.clone();
    }

    /** The token's spelling in the vocabulary ("Ġthe", "<|im_end|>"). */
    public String piece(int id) {
        if (id < 0 || id >= pieces.length || pieces[id] == null) {
            throw new IllegalArgumentException("no token with id " + id + " (vocabulary size " + pieces.length + ")");
        }
        return pieces[id];
    }

    public boolean hasToken(int id) {
        return id >= 0 && id < pieces.length && pieces[id] != null;
    }

    /** One more than the largest id, added tokens included (151665 for Qwen2.5, 151669 for Qwen3). */
    public int vocabSize() {
        return pieces.length;
    }

    /** The id of an added token or a vocabulary piece, by its spelling. */
    public OptionalInt tokenId(String piece) {
        AddedToken t = added.get(piece);
        if (t != null) return OptionalInt.of(t.id());
        Integer id = vocab.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private OptionalInt idOf(String piece) {
        return piece == null ? OptionalInt.empty() : tokenId(piece);
    }

    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    public List<AddedToken> addedTokens() {
        return List.copyOf(added.values());
    }

    public Normalization normalization() {
        return normalization;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** The model's Jinja chat template as shipped, if any; {@link ChatTemplate} recognises its shape. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }
}
