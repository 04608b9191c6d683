package axc.quant;

import axc.errors.InvalidInputException;
import axc.formats.hf.HfCheckpoint;
import axc.progress.Progress;
import axc.quant.gguf.GgufQuantizer;
import axc.quant.gguf.QuantSource;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import axc.quant.safetensors.SafetensorsQuantizer;

import java.nio.file.Path;

/**
 * Quantizes a checkpoint with a recipe, choosing the writer from its base scheme: llama.cpp types go
 * to GGUF (from a Hugging Face folder or a float GGUF), integer schemes to a safetensors folder (from
 * a Hugging Face folder). The one entry point the commands use.
 */
public final class Quantization {
    private Quantization() {
    }

    public static QuantizeReport run(Path in, Path out, Recipe recipe, Path calib, boolean provenance, boolean measureError, Progress progress) {
        return run(in, out, recipe, calib, provenance, measureError, progress, () -> {
        });
    }

    /**
     * As above, running {@code opened} once the input is open and before any work or output: where a
     * check that ran alongside the opening (the command's scan for NaN weights) is waited for, and may
     * still refuse.
     */
    public static QuantizeReport run(Path in, Path out, Recipe recipe, Path calib, boolean provenance, boolean measureError, Progress progress,
                                     Runnable opened) {
        if (Presets.isGguf(recipe.base())) {
            try (QuantSource src = QuantSource.open(in)) {
                opened.run();
                return GgufQuantizer.quantize(src, out, recipe, provenance, measureError, progress);
            }
        }
        if (!HfCheckpoint.looksLike(in)) {
            throw new InvalidInputException(in + ": integer schemes quantize a Hugging Face folder (convert a GGUF with axc convert first)");
        }
        try (HfCheckpoint ck = HfCheckpoint.open(in)) {
            opened.run();
            return SafetensorsQuantizer.quantize(ck, out, recipe, calib, provenance, progress);
        }
    }
}
