package axc.reference;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.convert.Converter;
import axc.formats.convert.GgufHfConfig;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.HfCheckpoint;
import axc.progress.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference forward pass reads GGUF files as well as Hugging Face folders: a checkpoint and its F32
 * GGUF conversion give bit-identical logits, and a llama.cpp-quantized Q8_0 file gives logits close to
 * its F32 original.
 */
class ReferenceOnGgufTest {
    static Path fixture(String name) {
        try {
            return Path.of(ReferenceOnGgufTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ReferenceModel reference(GgufFile g) {
        return new ReferenceModel(new Weights(g, GgufHfConfig.modelConfig(g), g.path()));
    }

    /** BF16 widens to F32 exactly, so a BF16 checkpoint's F32 GGUF holds the very same values as an F32 one's. */
    @ParameterizedTest
    @ValueSource(strings = {"F32", "BF16"})
    void checkpointAndItsGgufConversionGiveIdenticalLogits(DType dtype, @TempDir Path tmp) {
        for (boolean tied : new boolean[]{true, false}) {
            Path hf = tmp.resolve("hf-" + tied);
            CheckpointGenerator.write(ModelSpec.preset("tiny").withDtype(dtype).withTied(tied), hf);
            Path gguf = tmp.resolve("model-" + tied + ".gguf");
            Converter.convert(hf, gguf, Converter.Format.GGUF, DType.F32, 0, Progress.SILENT);
            int[] tokens = {9707, 1879, 11, 1077, 594, 1273, 13, 151644, 872, 198};
            try (HfCheckpoint ck = HfCheckpoint.open(hf); GgufFile g = GgufFile.open(gguf)) {
                float[][] fromHf = new ReferenceModel(new Weights(ck.tensors(), ck.config(), hf)).forwardAll(tokens);
                float[][] fromGguf = reference(g).forwardAll(tokens);
                for (int i = 0; i < tokens.length; i++) {
                    assertArrayEquals(fromHf[i], fromGguf[i], 0f, dtype + " tied=" + tied + " position " + i);
                }
            }
        }
    }

    /**
     * Q8_0 (llama.cpp's block-32 int8 with an F16 scale) perturbs each weight by at most half a step of
     * its block's scale. In llama.cpp's 1-layer {@code tiny} files every 37th column is an ×8 outlier that
     * sets the scale of nearly every block, so the matrices carry a relative L2 error of about 1.0%.
     * Measured over 64 random tokens: the logits' worst per-position relative L2 error to the F32 model
     * is 3.2% and the top-1 token agrees at 63 of 64 positions; the test allows 5% and 60 of 64.
     */
    @Test
    void q8LogitsStayCloseToF32() {
        try (GgufFile f32 = GgufFile.open(fixture("tiny-f32.gguf")); GgufFile q8 = GgufFile.open(fixture("tiny-Q8_0.gguf"))) {
            assertEquals(DType.Q8_0, q8.get("blk.0.attn_q.weight").dtype());
            ReferenceModel exact = reference(f32);
            ReferenceModel quant = reference(q8);
            int vocab = exact.vocabRows();
            assertEquals(vocab, quant.vocabRows());
            SplittableRandom r = new SplittableRandom(3);
            int[] tokens = new int[64];
            for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(vocab);
            float[][] a = exact.forwardAll(tokens);
            float[][] b = quant.forwardAll(tokens);
            double worst = 0;
            int sameTop = 0;
            for (int i = 0; i < tokens.length; i++) {
                double err = 0;
                double norm = 0;
                for (int v = 0; v < vocab; v++) {
                    err += (double) (a[i][v] - b[i][v]) * (a[i][v] - b[i][v]);
                    norm += (double) a[i][v] * a[i][v];
                }
                worst = Math.max(worst, Math.sqrt(err / norm));
                if (ReferenceModelTest.argmax(a[i]) == ReferenceModelTest.argmax(b[i])) sameTop++;
            }
            assertTrue(worst < 0.05, "worst relative L2 error of Q8_0 logits: " + worst);
            assertTrue(sameTop >= tokens.length - 4, "top-1 agrees at " + sameTop + " of " + tokens.length + " positions");
        }
    }
}
