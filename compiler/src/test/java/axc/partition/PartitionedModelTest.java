package axc.partition;

import axc.bundle.Bundle;
import axc.bundle.VerificationCache;
import axc.examples.CheckpointGenerator;
import axc.examples.ExampleModels;
import axc.examples.ModelSpec;
import axc.formats.convert.Converter;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.model.LanguageModel;
import axc.progress.Progress;
import axc.target.Executable;
import axc.target.reference.ReferenceTarget;
import axc.target.testing.RefusingTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partitioned artifact run across a target that refuses some ops and the fallback gives exactly the
 * logits of the same artifact run whole by the interpreter: both sides are the interpreter, so any
 * difference is the partitioning's (a value handed to the wrong input, a segment run out of order, a
 * KV cache lost or shared, a weight read from the wrong part). Prefill, then greedy decode steps.
 */
class PartitionedModelTest {
    @TempDir
    static Path tmp;
    static Map<String, Path> models;

    @BeforeAll
    static void models() {
        Path tinyPy = ExampleModels.extractTinyPy(tmp.resolve("axc-tiny-py"));
        Path qwen2 = tmp.resolve("qwen2");
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(Family.QWEN2), qwen2);
        Path qwen3 = tmp.resolve("qwen3");
        CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(Family.QWEN3).withTied(false), qwen3);
        Path gguf = tmp.resolve("qwen2.gguf");
        Converter.convert(qwen2, gguf, Converter.Format.GGUF, DType.F32, 0, Progress.SILENT);
        models = Map.of("axc-tiny-py", tinyPy, "qwen2", qwen2, "qwen3", qwen3, "qwen2-gguf", gguf);
    }

    @ParameterizedTest(name = "{0}, refusing {1}")
    @CsvSource(delimiter = ';', value = {
            "axc-tiny-py; attention,rope",
            "axc-tiny-py; embedding,rms_norm_matmul",
            "qwen2; attention,rope",
            "qwen3; attention,rope",
            "qwen3; embedding,rms_norm_matmul,head_rms_norm",
            "qwen2-gguf; embedding,rms_norm_matmul",
    })
    void partitionedRunGivesTheWholeInterpretersLogitsExactly(String model, String refuse) {
        Path src = models.get(model);
        RefusingTarget target = new RefusingTarget(Set.of(refuse.split(",")));
        Path parted = tmp.resolve(model + "-" + refuse.replace(',', '-') + ".axc");
        Path whole = tmp.resolve(model + "-whole.axc");
        Partition plan = Artifacts.compile(src, target, new ReferenceTarget(), parted).partition();
        if (!whole.toFile().exists()) Artifacts.compile(src, new ReferenceTarget(), null, whole);
        assertTrue(plan.fallbackSegments() >= 2 && plan.segments().size() >= 4, "the graph really splits: " + plan.segments().size() + " segments");

        try (Bundle pb = Bundle.open(parted, VerificationCache.none()); Bundle wb = Bundle.open(whole, VerificationCache.none());
             PartitionedModel p = PartitionedModel.load(pb, target, new ReferenceTarget()); Executable w = new ReferenceTarget().load(wb)) {
            assertEquals(plan, p.partition());
            assertEquals(RefusingTarget.ID + "+reference", p.backend());
            assertEquals(w.weightBytesPerToken(), p.weightBytesPerToken());
            int vocab = Math.min(p.vocabRows(), 1000);
            int[] prompt = new SplittableRandom(3).ints(7, 0, vocab).toArray();
            int steps = 4;
            LanguageModel.Session ps = p.newSession(prompt.length + steps), ws = w.newSession(prompt.length + steps);
            float[][] pl = ps.prefill(prompt), wl = ws.prefill(prompt);
            for (int i = 0; i < prompt.length; i++) assertArrayEquals(wl[i], pl[i], 0f, "prefill position " + i);
            float[] pn = pl[prompt.length - 1], wn = wl[prompt.length - 1];
            for (int s = 0; s < steps; s++) {
                int next = argmax(wn);
                pn = ps.next(next);
                wn = ws.next(next);
                assertArrayEquals(wn, pn, 0f, "decode step " + s);
            }
            // What crossed: the partition's per-step values every step, its per-token bytes for every token.
            assertEquals(new Boundary(plan.boundary().values() * (1 + steps), plan.boundary().bytes() * (prompt.length + steps)), p.crossed(),
                    Arrays.toString(prompt));
            // A prompt's last logits only (the last segment may run its last row): the same bits, and the
            // KV cache every segment filled serves the next step as before.
            LanguageModel.Session last = p.newSession(prompt.length + 1);
            assertArrayEquals(wl[prompt.length - 1], last.prefillLast(prompt), 0f, "prefillLast");
            int next = argmax(wl[prompt.length - 1]);
            assertArrayEquals(stepAfter(w, prompt, next), last.next(next), 0f,
                    "the step after prefillLast");
        }
    }

    /** The logits of the step after the prompt, on a fresh session of {@code m}. */
    static float[] stepAfter(Executable m, int[] prompt, int next) {
        LanguageModel.Session s = m.newSession(prompt.length + 1);
        s.prefill(prompt);
        return s.next(next);
    }

    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }
}
