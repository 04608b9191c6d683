package axc.reference;

import axc.examples.ExampleModels;
import axc.formats.hf.HfCheckpoint;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference forward pass reproduces an independent PyTorch implementation of Qwen2 on the trained
 * axc-tiny-py model: last-position logits, per-position top-5 and 32-token greedy continuations.
 */
class ReferenceModelTest {
    static Path dir;
    static HfCheckpoint ck;
    static ReferenceModel model;
    static JsonNode ref;

    @BeforeAll
    static void load() throws Exception {
        dir = ExampleModels.extractTinyPy(Files.createTempDirectory("axc-ref").resolve("m"));
        ck = HfCheckpoint.open(dir);
        model = new ReferenceModel(new Weights(ck.tensors(), ck.config(), dir));
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

    @Test
    void lastPositionLogitsMatchPyTorch() {
        for (JsonNode p : ref.get("prompts")) {
            float[][] logits = model.forwardAll(ints(p.get("input_ids")));
            float[] last = logits[logits.length - 1];
            JsonNode expected = p.get("last_position_logits");
            assertEquals(expected.size(), last.length);
            double maxErr = 0;
            double maxAbs = 0;
            for (int i = 0; i < last.length; i++) {
                maxErr = Math.max(maxErr, Math.abs(last[i] - expected.get(i).asDouble()));
                maxAbs = Math.max(maxAbs, Math.abs(expected.get(i).asDouble()));
            }
            // reference.json rounds to 6 decimals; float32 vs PyTorch's float32 differ in summation order.
            assertTrue(maxErr / maxAbs < 1e-4, p.get("name").asText() + ": max |err| " + maxErr + " of max |logit| " + maxAbs);
            int argmax = 0;
            for (int i = 1; i < last.length; i++) if (last[i] > last[argmax]) argmax = i;
            assertEquals(p.get("last_logits_argmax").asInt(), argmax);
        }
    }

    @Test
    void topFiveAtEveryPositionMatchesPyTorch() {
        for (JsonNode p : ref.get("prompts")) {
            float[][] logits = model.forwardAll(ints(p.get("input_ids")));
            JsonNode top5 = p.get("top5_ids_per_position");
            for (int pos = 0; pos < logits.length; pos++) {
                int[] expected = ints(top5.get(pos));
                float[] l = logits[pos];
                // The top-1 must agree; lower ranks may swap only where the logits are nearly tied.
                assertEquals(expected[0], argmax(l), p.get("name").asText() + " position " + pos);
                for (int r = 1; r < 5; r++) {
                    assertTrue(Math.abs(l[expected[r]] - l[expected[r - 1]]) < 1e-3 || l[expected[r]] <= l[expected[r - 1]] + 1e-3,
                            p.get("name").asText() + " position " + pos + " rank " + r);
                }
            }
        }
    }

    @Test
    void greedyContinuationsMatchPyTorch() {
        for (JsonNode p : ref.get("prompts")) {
            int[] prompt = ints(p.get("input_ids"));
            int[] expected = ints(p.get("greedy_continuation_ids"));
            KvCache cache = model.newCache(prompt.length + expected.length);
            float[] logits = null;
            for (int t : prompt) logits = model.forward(cache, t);
            int[] got = new int[expected.length];
            for (int i = 0; i < got.length; i++) {
                got[i] = argmax(logits);
                logits = model.forward(cache, got[i]);
            }
            assertArrayEquals(expected, got, p.get("name").asText());
        }
    }

    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }
}
