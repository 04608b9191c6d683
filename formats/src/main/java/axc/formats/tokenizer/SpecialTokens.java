package axc.formats.tokenizer;

import java.util.OptionalInt;

/**
 * The control tokens a generation loop needs, resolved to ids. {@code bos}, {@code eos} and
 * {@code pad} are what the tokenizer config names (Qwen2.5-Instruct: no bos, eos {@code <|im_end|>},
 * pad {@code <|endoftext|>}); the ChatML and end-of-text ids are looked up by their fixed spelling.
 */
public record SpecialTokens(OptionalInt bos, OptionalInt eos, OptionalInt pad,
                            OptionalInt imStart, OptionalInt imEnd, OptionalInt endOfText) {
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
}
