package axc.formats.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tokenizer and generation files found beside a checkpoint. They are carried byte-for-byte through
 * every conversion, so nothing a downstream loader expects is lost.
 */
public record TokenizerFiles(Path dir, List<String> names) {
    /** Every file name a Hugging Face tokenizer or generation setup may consist of. */
    public static final List<String> KNOWN = List.of(
            "tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "added_tokens.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja");

    public static TokenizerFiles scan(Path dir) {
        List<String> found = new ArrayList<>();
        for (String n : KNOWN) {
            if (Files.isRegularFile(dir.resolve(n))) found.add(n);
        }
        return new TokenizerFiles(dir, List.copyOf(found));
    }

    public boolean has(String name) {
        return names.contains(name);
    }

    public Optional<Path> path(String name) {
        return has(name) ? Optional.of(dir.resolve(name)) : Optional.empty();
    }

    /** True when an encoder can be built: tokenizer.json, or vocab.json with merges.txt. */
    public boolean hasVocabulary() {
        return has("tokenizer.json") || (has("vocab.json") && has("merges.txt"));
    }

    public List<Path> paths() {
        return names.stream().map(dir::resolve).toList();
    }

    /** Copies every tokenizer file into {@code target}. */
    public void copyTo(Path target) {
        try {
            for (String n : names) Files.copy(dir.resolve(n), target.resolve(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
