package axc.runner;

import axc.formats.tokenizer.Tokenizer;
import axc.model.LanguageModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A model ready to run: its forward pass, its tokenizer (absent for weight-only files), the ids that
 * end generation, and the source files it keeps mapped until closed.
 */
public record LoadedModel(String name, Path source, String format, LanguageModel model, Tokenizer tokenizer,
                          Set<Integer> stopIds, long fileBytes, List<AutoCloseable> resources) implements AutoCloseable {

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    public Tokenizer requireTokenizer() {
        if (tokenizer == null) throw new axc.errors.InvalidInputException(source + ": has no tokenizer; pass token ids instead of text");
        return tokenizer;
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing a mapping cannot fail in a way the user can act on
            }
        }
    }
}
