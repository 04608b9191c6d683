package axc.quant;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.convert.GgufHfConfig;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorStore;
import axc.interp.InterpretedModel;
import axc.ir.Graph;
import axc.ir.Node;
import axc.model.LanguageModel;
import axc.progress.Progress;
import axc.quant.gguf.GgufQuantizer;
import axc.quant.gguf.QuantSource;
import axc.quant.recipe.Presets;
import axc.quant.safetensors.SafetensorsQuantizer;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiler's frontend reads every quantized form the quantizer writes, giving each matmul the
 * scheme of its stored weight (never a dequantized copy), and the interpreter runs those graphs with
 * exactly the reference forward pass's logits, token by token and in one prefill step.
 */
class QuantizedGraphsTest {
    static final int[] TOKENS = {3707, 1879, 11, 1077, 594, 1273};

    /** One layer and a 4096-row vocabulary: k-quantizing the full Qwen vocabulary would dominate the test's time. */
    static ModelSpec shrunk(ModelSpec s) {
        return new ModelSpec(s.family(), s.hidden(), 1, s.heads(), s.kvHeads(), s.headDim(), s.intermediate(), 4096, s.tied(), s.dtype(), 1, 42);
    }

    static Set<String> matmulSchemes(Graph g) {
        Set<String> s = new TreeSet<>();
        for (Node n : g.nodes()) if (n.op().readsWeights()) s.add(n.attrs().getString("scheme"));
        return s;
    }

    static Set<String> check(TensorStore store, ModelConfig config, Path where) {
        ReferenceModel reference = new ReferenceModel(new Weights(store, config, where));
        InterpretedModel interp = InterpretedModel.open(store, config, where);
        float[][] expected = reference.forwardAll(TOKENS);
        LanguageModel.Session s = interp.newSession(TOKENS.length);
        float[][] pre = interp.forwardAll(TOKENS);
        for (int i = 0; i < TOKENS.length; i++) {
            assertArrayEquals(expected[i], s.next(TOKENS[i]), 0f, "token-by-token position " + i);
            assertArrayEquals(expected[i], pre[i], 0f, "prefill position " + i);
        }
        return matmulSchemes(interp.graph());
    }

    @Test
    void integerSchemesInSafetensors(@TempDir Path tmp) {
        Path src = tmp.resolve("src");
        // The layer-by-layer quantizer calibrates on tokenized text: this one keeps the full vocabulary.
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(Family.QWEN3).withLayers(1), src);
        String[][] cases = {{"int4-g32", "gptq_int4_g32"}, {"int8", "int8_channel"}, {"w8a8", "w8a8"}};
        try (HfCheckpoint ck = HfCheckpoint.open(src)) {
            for (String[] c : cases) {
                Path out = tmp.resolve(c[0]);
                SafetensorsQuantizer.quantize(ck, out, Presets.find(c[0]).orElseThrow(), null, false, Progress.SILENT);
                try (HfCheckpoint q = HfCheckpoint.open(out)) {
                    Set<String> schemes = check(q.tensors(), q.config(), out);
                    // The embedding table and the tied head stay in float.
                    assertEquals(Set.of("bf16", c[1]), schemes, c[0]);
                }
            }
        }
    }

    @Test
    void llamaCppBlockTypesInGguf(@TempDir Path tmp) {
        Path src = tmp.resolve("src");
        // k-quants need rows of 256 columns: the small preset's width. Q8_0 is covered by the compiler's own fixture.
        CheckpointGenerator.write(shrunk(ModelSpec.preset("small")), src);
        for (String preset : new String[]{"q4_k_m"}) {
            Path out = tmp.resolve(preset + ".gguf");
            try (QuantSource qs = QuantSource.open(src)) {
                GgufQuantizer.quantize(qs, out, Presets.find(preset).orElseThrow(), false, false, Progress.SILENT);
            }
            try (GgufFile g = GgufFile.open(out)) {
                Set<String> schemes = check(g, GgufHfConfig.modelConfig(g), out);
                assertEquals(Set.of("q4_k", "q6_k"), schemes, preset);
            }
        }
    }
}
