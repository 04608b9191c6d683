package axc.quant.gguf;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.progress.Progress;
import axc.quant.recipe.Presets;
import axc.reference.KvCache;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import axc.formats.convert.GgufHfConfig;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp loads the GGUF files axc quantizes and generates what axc's reference, run on the same
 * dequantized weights, generates. llama.cpp multiplies with int8-quantized activations, so the two
 * may part ways only where the reference's top two logits are nearly tied.
 */
class LlamaCppRunsQuantizedGgufTest {
    @BeforeAll
    static void quiet() {
        LlamaModel.setLogger(LogFormat.TEXT, (level, msg) -> { });
    }

    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0", "q4_k_m", "q6_k"})
    void llamaCppAgreesWithTheDequantizedReference(String preset, @TempDir Path tmp) {
        ModelSpec spec = new ModelSpec(axc.formats.hf.Family.QWEN2, 256, 2, 4, 2, 64, 512, ModelSpec.QWEN_VOCAB, true, DType.F32, 1, 11);
        Path hf = tmp.resolve("hf");
        CheckpointGenerator.write(spec, hf);
        Path gguf = tmp.resolve("q.gguf");
        try (QuantSource src = QuantSource.open(hf)) {
            GgufQuantizer.quantize(src, gguf, Presets.find(preset).orElseThrow(), true, false, Progress.SILENT);
        }
        int n = 12;
        List<Integer> ours = new ArrayList<>();
        List<Double> margins = new ArrayList<>();
        int[] prompt;
        try (LlamaModel llama = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(128).setThreads(2).setGpuLayers(0))) {
            prompt = llama.encode("def fibonacci(n):");
            try (GgufFile g = GgufFile.open(gguf)) {
                ReferenceModel ref = new ReferenceModel(new Weights(g, GgufHfConfig.modelConfig(g), gguf));
                KvCache cache = ref.newCache(prompt.length + n);
                float[] logits = null;
                for (int t : prompt) logits = ref.forward(cache, t);
                for (int i = 0; i < n; i++) {
                    int best = argmax(logits);
                    ours.add(best);
                    margins.add(margin(logits));
                    logits = ref.forward(cache, best);
                }
            }
            String theirs = llama.complete(new InferenceParameters("def fibonacci(n):").setNPredict(n).setTemperature(0f)
                    .setTopK(1).setRepeatPenalty(1f).setIgnoreEos(true).setSeed(1));
            int[] theirIds = llama.encode(theirs);
            int[] ourIds = ours.stream().mapToInt(Integer::intValue).toArray();
            String ourText = llama.decode(ourIds);
            System.out.println(preset + ": axc '" + ourText + "' | llama.cpp '" + theirs + "'");
            if (!ourText.equals(theirs)) {
                // Where they part, our top-2 margin must be small (a near-tie that int8 activations can flip).
                int firstDiff = 0;
                while (firstDiff < Math.min(ourIds.length, theirIds.length) && ourIds[firstDiff] == theirIds[firstDiff]) firstDiff++;
                assertTrue(firstDiff >= 4, preset + ": diverged at token " + firstDiff + ": ours '" + ourText + "' vs llama.cpp '" + theirs + "'");
                assertTrue(margins.get(Math.min(firstDiff, n - 1)) < 0.5, preset + ": diverged at a clear decision (margin "
                        + margins.get(Math.min(firstDiff, n - 1)) + "): ours '" + ourText + "' vs '" + theirs + "'");
            } else {
                assertEquals(ourText, theirs);
            }
        }
    }

    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }

    static double margin(float[] l) {
        int a = argmax(l);
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < l.length; i++) if (i != a && l[i] > second) second = l[i];
        return l[a] - second;
    }
}
