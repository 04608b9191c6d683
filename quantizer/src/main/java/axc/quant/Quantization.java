package axc.quant;

import axc.errors.InvalidInputException;
import axc.formats.hf.HfCheckpoint;
import axc.formats.tensor.NonFiniteScan;
import axc.progress.Progress;
import axc.quant.gguf.GgufQuantizer;
import axc.quant.gguf.QuantSource;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import axc.quant.safetensors.SafetensorsQuantizer;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Quantizes a checkpoint with a recipe, choosing the writer from its base scheme: llama.cpp types go
 * to GGUF (from a Hugging Face folder or a float GGUF), integer schemes to a safetensors folder (from
 * a Hugging Face folder). The one entry point the commands use.
 */
public final class Quantization {
    private Quantization() {
    }

    public static QuantizeReport run(Path in, Path out, Recipe recipe, Path calib, boolean provenance, boolean measureError, Progress progress) {
        return run(in, out, recipe, calib, provenance, measureError, progress, null);
    }

    /**
     * As above; with {@code nonFinite} not null, each input tensor holding NaN or infinite values is
     * handed to it, which may throw to refuse the checkpoint (nothing is then written). Toward GGUF the
     * count rides on the quantization pass, so the weights are read once; toward safetensors, whose
     * algorithms run a calibration pass first, the input is scanned before any work.
     */
    public static QuantizeReport run(Path in, Path out, Recipe recipe, Path calib, boolean provenance, boolean measureError, Progress progress,
                                     Consumer<NonFiniteScan.Finding> nonFinite) {
        if (Presets.isGguf(recipe.base())) {
            try (QuantSource src = QuantSource.open(in)) {
                return GgufQuantizer.quantize(src, out, recipe, provenance, measureError, progress, nonFinite);
            }
        }
        if (!HfCheckpoint.looksLike(in)) {
            throw new InvalidInputException(in + ": integer schemes quantize a Hugging Face folder (convert a GGUF with axc convert first)");
        }
        try (HfCheckpoint ck = HfCheckpoint.open(in)) {
            if (nonFinite != null) NonFiniteScan.scan(ck.tensors()).forEach(nonFinite);
            return SafetensorsQuantizer.quantize(ck, out, recipe, calib, provenance, progress);
        }
    }
}
