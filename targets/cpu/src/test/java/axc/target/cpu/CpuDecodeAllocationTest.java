package axc.target.cpu;

import axc.examples.ExampleModels;
import axc.formats.hf.HfCheckpoint;
import axc.frontend.QwenFrontend;
import axc.interp.InterpretedModel;
import axc.interp.WeightsParams;
import axc.model.LanguageModel;
import axc.reference.Weights;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the cpu kernels, a decode step of the trained model allocates its logits and a few small
 * objects: the activations live in arrays the session reuses and the native products in their
 * scratch. This model's activations come to about 80 KB a step (and were allocated, with a second
 * copy of the logits, before the arrays were reused), so allocating them fails the bound. The vector
 * kernels allocate until the JIT compiles them, so the bound holds for the steady state.
 */
class CpuDecodeAllocationTest {
    @Test
    void decodeStepsAllocateTheirLogitsAndNoActivations() throws Exception {
        Path dir = ExampleModels.extractTinyPy(Files.createTempDirectory("axc-cpu-alloc").resolve("m"));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (HfCheckpoint ck = HfCheckpoint.open(dir); RowPool pool = new RowPool(2)) {
            Weights w = new Weights(ck.tensors(), ck.config(), dir);
            InterpretedModel model = new InterpretedModel(QwenFrontend.build(ck.config(), ck.tensors()), ck.config(),
                    new CpuParams(new WeightsParams(w), ck.tensors(), pool, Activations.INT8), w.matrixBytes());
            LanguageModel.Session session = model.newSession(2048);
            session.prefill(new int[]{1, 2, 3, 4});
            long logits = 4L * model.vocabRows() + 16;
            // Until the JIT compiles the vector kernels, their lanes are objects: steps are measured in
            // windows of 16, and the steady state must show within the cache's length.
            long best = Long.MAX_VALUE;
            for (int window = 0; window < 120 && best >= logits + 24 * 1024; window++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 16; i++) session.next(5 + (window * 16 + i) % 1000);
                best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / 16);
            }
            assertTrue(best < logits + 24 * 1024, best + " bytes allocated per decode step at best, logits " + logits);
        }
    }
}
