package axc.formats.tokenizer;

import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test fixtures under src/test/resources/tokenizer (see PROVENANCE.md), loaded once per JVM. */
final class TokenizerFixtures {
    private static Tokenizer qwen2;

    private TokenizerFixtures() {
    }

    static Path path(String rel) {
        try {
            return Path.of(TokenizerFixtures.class.getResource("/tokenizer/" + rel).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture tokenizer/" + rel, e);
        }
    }

    /** The real Qwen2.5 tokenizer: vocab.json + merges.txt + tokenizer_config.json. */
    static synchronized Tokenizer qwen2() {
        if (qwen2 == null) qwen2 = Tokenizer.load(path("qwen2"));
        return qwen2;
    }

    static JsonNode json(String rel) {
        return Json.read(path(rel));
    }

    static String text(String rel) {
        try {
            return Files.readString(path(rel), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** A llama.cpp tokenizer test case: input text and the ids Hugging Face produced for it. */
    record VocabCase(int index, String text, int[] ids) {
        @Override
        public String toString() {
            return index + ": " + text.replace("\n", "\\n");
        }
    }

    /** Reads llama.cpp's {@code .inp}/{@code .out} pair: cases split by a marker line, one id line per case. */
    static List<VocabCase> llamaCppCases(String inp, String out) {
        String[] inputs = text(inp).split("\n__ggml_vocab_test__\n", -1);
        String[] lines = text(out).split("\n", -1);
        List<VocabCase> cases = new ArrayList<>();
        for (int i = 0; i + 1 < inputs.length; i++) { // the file ends with a marker: last element empty
            String line = lines[i].trim();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new VocabCase(i, inputs[i], ids));
        }
        return cases;
    }
}
