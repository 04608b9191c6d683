package axc.interp;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.convert.GgufHfConfig;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorStore;
import axc.model.LanguageModel;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The interpreter running the frontend's graph reproduces the reference forward pass bit for bit:
 * token by token with the KV cache, and a whole prompt in one prefill step followed by decode steps.
 */
class InterpreterAgreementTest {
    static final int[] PROMPT = {9707, 1879, 11, 1077, 594, 1273, 13};
    static final int[] CONTINUATION = {151644, 872, 198, 42};

    /** Logits of the prompt then the continuation, token by token (ids modulo the vocabulary). */
    static float[][] tokenByToken(LanguageModel model) {
        LanguageModel.Session s = model.newSession(PROMPT.length + CONTINUATION.length);
        float[][] out = new float[PROMPT.length + CONTINUATION.length][];
        int vocab = model.vocabRows();
        for (int i = 0; i < PROMPT.length; i++) out[i] = s.next(PROMPT[i] % vocab);
        for (int i = 0; i < CONTINUATION.length; i++) out[PROMPT.length + i] = s.next(CONTINUATION[i] % vocab);
        return out;
    }

    /** The prompt in one prefill step, then the continuation token by token. */
    static float[][] prefillThenDecode(LanguageModel model) {
        LanguageModel.Session s = model.newSession(PROMPT.length + CONTINUATION.length);
        float[][] out = new float[PROMPT.length + CONTINUATION.length][];
        int vocab = model.vocabRows();
        float[][] pre = s.prefill(java.util.Arrays.stream(PROMPT).map(t -> t % vocab).toArray());
        System.arraycopy(pre, 0, out, 0, pre.length);
        for (int i = 0; i < CONTINUATION.length; i++) out[PROMPT.length + i] = s.next(CONTINUATION[i] % vocab);
        assertEquals(PROMPT.length + CONTINUATION.length, s.position());
        return out;
    }

    static void assertBitIdentical(TensorStore store, ModelConfig config, Path where, String what) {
        ReferenceModel reference = new ReferenceModel(new Weights(store, config, where));
        InterpretedModel interp = InterpretedModel.open(store, config, where);
        assertEquals(reference.vocabRows(), interp.vocabRows());
        float[][] expected = tokenByToken(reference);
        float[][] stepwise = tokenByToken(interp);
        float[][] prefilled = prefillThenDecode(interp);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], stepwise[i], 0f, what + ": token-by-token position " + i);
            assertArrayEquals(expected[i], prefilled[i], 0f, what + ": prefill position " + i);
        }
    }

    @Test
    void qwen2AndQwen3CheckpointsGiveTheReferenceLogitsExactly(@TempDir Path tmp) {
        for (Family f : Family.values()) {
            for (boolean tied : new boolean[]{true, false}) {
                Path dir = tmp.resolve(f + "-" + tied);
                CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(f).withTied(tied), dir);
                try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
                    assertBitIdentical(ck.tensors(), ck.config(), dir, f + " tied=" + tied);
                }
            }
        }
    }

    @Test
    void float32CheckpointGivesTheReferenceLogitsExactly(@TempDir Path tmp) {
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(Family.QWEN3).withDtype(DType.F32), tmp);
        try (HfCheckpoint ck = HfCheckpoint.open(tmp)) {
            assertBitIdentical(ck.tensors(), ck.config(), tmp, "qwen3 f32");
        }
    }

    static Path fixture(String name) {
        try {
            return Path.of(InterpreterAgreementTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void ggufFilesGiveTheReferenceLogitsExactly() {
        for (String name : new String[]{"tiny-f32.gguf", "tiny-Q8_0.gguf"}) {
            try (GgufFile g = GgufFile.open(fixture(name))) {
                assertBitIdentical(g, GgufHfConfig.modelConfig(g), g.path(), name);
            }
        }
    }
}
