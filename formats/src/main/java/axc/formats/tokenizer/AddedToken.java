package axc.formats.tokenizer;

/**
 * A token matched in text as a whole before BPE runs ({@code <|im_start|>}, {@code <think>}).
 * {@code special} is the file's flag: special tokens are control tokens (skippable on decode); plain
 * added tokens such as {@code <tool_call>} are ordinary text that happens to have its own id.
 */
public record AddedToken(int id, String content, boolean special) {
}
