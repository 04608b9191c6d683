package axc.interp;

import axc.examples.ExampleModels;
import axc.formats.hf.HfCheckpoint;
import axc.formats.json.Json;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On the trained axc-tiny-py model, the interpreted graph matches the independent PyTorch
 * implementation (with ReferenceModelTest's tolerance) and the reference forward pass exactly, with
 * each prompt run as one prefill step and the greedy continuation decoded one token at a time.
 */
class TinyPyInterpreterTest {
    static HfCheckpoint ck;
    static InterpretedModel model;
    static ReferenceModel reference;
    static JsonNode ref;

    @BeforeAll
    static void load() throws Exception {
        Path dir = ExampleModels.extractTinyPy(Files.createTempDirectory("axc-interp").resolve("m"));
        ck = HfCheckpoint.open(dir);
        model = InterpretedModel.open(ck.tensors(), ck.config(), dir);
        reference = new ReferenceModel(new Weights(ck.tensors(), ck.config(), dir));
        ref = Json.read(dir.resolve("reference.json"));
    }

    @AfterAll
    static void close() {
        ck.close();
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }

    @Test
    void prefillMatchesPyTorchAndTheReferenceExactly() {
        for (JsonNode p : ref.get("prompts")) {
            int[] ids = ints(p.get("input_ids"));
            float[][] logits = model.forwardAll(ids);
            float[][] exact = reference.forwardAll(ids);
            for (int i = 0; i < ids.length; i++) assertArrayEquals(exact[i], logits[i], 0f, p.get("name").asText() + " position " + i);
            float[] last = logits[logits.length - 1];
            JsonNode expected = p.get("last_position_logits");
            assertEquals(expected.size(), last.length);
            double maxErr = 0;
            double maxAbs = 0;
            for (int i = 0; i < last.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(last[i] - expected.get(i).asDouble()));
                maxAbs = Math.max(maxAbs, Math.abs(expected.get(i).asDouble()));
            }
            assertTrue(maxErr / maxAbs < 1e-4, p.get("name").asText() + ": max |err| " + maxErr + " of max |logit| " + maxAbs);
            assertEquals(p.get("last_logits_argmax").asInt(), argmax(last));
        }
    }

    @Test
    void greedyContinuationsMatchPyTorch() {
        for (JsonNode p : ref.get("prompts")) {
            int[] prompt = ints(p.get("input_ids"));
            // The first 16 tokens of each continuation (ReferenceModelTest checks all 32 on the same arithmetic).
            int[] expected = java.util.Arrays.copyOf(ints(p.get("greedy_continuation_ids")), 16);
            var session = model.newSession(prompt.length + expected.length);
            float[][] pre = session.prefill(prompt);
            float[] logits = pre[pre.length - 1];
            int[] got = new int[expected.length];
            for (int i = 0; i < got.length; i++) {
                got[i] = argmax(logits);
                logits = session.next(got[i]);
            }
            assertArrayEquals(expected, got, p.get("name").asText());
        }
    }

    /**
     * A prompt's last logits with the output projection on the last row only equal the last row of
     * the whole prefill, bit for bit, and the session goes on from the same place.
     */
    @Test
    void prefillLastIsTheLastRowOfPrefill() {
        int[] prompt = {32000, 17, 912, 44, 3051, 7, 7, 260, 1999};
        var all = model.newSession(prompt.length + 2);
        var last = model.newSession(prompt.length + 2);
        float[][] full = all.prefill(prompt);
        assertArrayEquals(full[full.length - 1], last.prefillLast(prompt));
        assertEquals(all.position(), last.position());
        assertArrayEquals(all.next(5), last.next(5));
        // And the graph really skipped the other rows: one logits row came back.
        List<Tensor> outs = model.interpreter().runLastRow(model.interpreter().newState(4),
                java.util.Map.of(axc.frontend.QwenFrontend.TOKENS, Tensor.i32(new int[]{1, 2, 3}, 3),
                        axc.frontend.QwenFrontend.POSITIONS, Tensor.i32(new int[]{0, 1, 2}, 3)));
        assertEquals(1, outs.getFirst().rows());
    }
}
