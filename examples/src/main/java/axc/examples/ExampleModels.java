package axc.examples;

import axc.formats.io.AtomicOutput;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The models shipped inside axc: {@code axc-tiny-py}, a small trained Qwen2 (the demo's default). */
public final class ExampleModels {
    public static final String DEFAULT = "axc-tiny-py";
    private static final List<String> TINY_PY_FILES = List.of(
            "config.json", "generation_config.json", "merges.txt", "model.safetensors", "reference.json",
            "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.json", "README.md");

    private ExampleModels() {
    }

    /** Writes the shipped {@code axc-tiny-py} model folder to {@code dir} (atomically). */
    public static Path extractTinyPy(Path dir) {
        AtomicOutput.writeDirectory(dir, tmp -> {
            for (String f : TINY_PY_FILES) {
                try (InputStream in = ExampleModels.class.getResourceAsStream("/axc/examples/axc-tiny-py/" + f)) {
                    if (in == null) throw new IOException("missing bundled file axc-tiny-py/" + f);
                    Files.copy(in, tmp.resolve(f));
                }
            }
        });
        return dir;
    }
}
