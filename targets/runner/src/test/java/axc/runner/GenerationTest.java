package axc.runner;

import axc.examples.ExampleModels;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tokenize, run and stream-decode the shipped model: the text equals the PyTorch reference's greedy output. */
class GenerationTest {
    @Test
    void greedyTextMatchesThePyTorchReference(@TempDir Path tmp) {
        Path dir = ExampleModels.extractTinyPy(tmp.resolve("m"));
        JsonNode ref = Json.read(dir.resolve("reference.json"));
        try (LoadedModel m = ModelLoader.load(dir)) {
            for (JsonNode p : ref.get("prompts")) {
                int[] ids = m.tokenizer().encode(p.get("prompt").asText());
                assertEquals(p.get("input_ids").size(), ids.length, p.get("name").asText());
                StringBuilder streamed = new StringBuilder();
                Generation.Result r = Generation.run(m, ids, 32, Sampler.greedy(), streamed::append);
                assertEquals(p.get("greedy_continuation_text").asText(), r.text(), p.get("name").asText());
                assertEquals(r.text(), streamed.toString());
            }
        }
    }
}
