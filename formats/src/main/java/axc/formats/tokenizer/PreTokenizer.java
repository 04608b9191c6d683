package axc.formats.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into the pieces BPE runs on, the way Hugging Face's {@code Split(Regex,
 * Isolated)} does: every regex match is a piece, and so is any text between matches.
 *
 * <p>The patterns come from tokenizer files written for Oniguruma. {@link Pattern#UNICODE_CHARACTER_CLASS}
 * makes Java agree with it where it matters: {@code \s} is Unicode White_Space (so U+00A0, U+3000 and
 * U+0085 are spaces, as in Oniguruma) and {@code (?i)} folds case by Unicode rules. {@code \p{L}} and
 * {@code \p{N}} are general categories in both.
 */
public final class PreTokenizer {
    /** Qwen2/Qwen2.5/Qwen3: single digits, letters with one leading non-letter, punctuation runs. */
    public static final String QWEN2_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** GPT-2, and Hugging Face's {@code ByteLevel(use_regex=true)}. */
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    public static final PreTokenizer QWEN2 = new PreTokenizer("qwen2", QWEN2_PATTERN);
    public static final PreTokenizer GPT2 = new PreTokenizer("gpt2", GPT2_PATTERN);

    /** Receives one piece as a range of the text. */
    @FunctionalInterface
    public interface PieceSink {
        void piece(int start, int end);
    }

    private final String name;
    private final String source;
    private final Pattern pattern;

    private PreTokenizer(String name, String source) {
        this.name = name;
        this.source = source;
        this.pattern = Pattern.compile(source, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The named pre-tokenizer for a known pattern, or one compiled from {@code source}. */
    public static PreTokenizer ofPattern(String source) {
        if (source.equals(QWEN2_PATTERN)) return QWEN2;
        if (source.equals(GPT2_PATTERN)) return GPT2;
        return new PreTokenizer("custom", source);
    }

    public String name() {
        return name;
    }

    public String pattern() {
        return source;
    }

    public void split(CharSequence text, PieceSink sink) {
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) sink.piece(last, m.start());
            if (m.end() > m.start()) sink.piece(m.start(), m.end());
            last = m.end();
        }
        if (last < text.length()) sink.piece(last, text.length());
    }

    @Override
    public String toString() {
        return name;
    }
}
