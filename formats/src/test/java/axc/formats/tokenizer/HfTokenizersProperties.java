package axc.formats.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import axc.formats.hf.TokenizerFiles;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our tokenizer against Hugging Face tokenizers (the Rust library, through DJL) on the full Qwen2.5
 * vocabulary. The tokenizer.json it loads is written here from vocab.json + merges.txt + added tokens
 * in the layout transformers' Qwen2 converter writes (the same as axc-tiny-py's tokenizer.json), so
 * the comparison also checks that our reading of vocab.json + merges.txt matches what HF makes of it.
 */
class HfTokenizersProperties {
    private static Path tempDir;
    private static HuggingFaceTokenizer hf;
    /** Ours, read from the same tokenizer.json. */
    private static Tokenizer fromJson;

    @BeforeContainer
    static void writeTokenizerJson() throws IOException {
        tempDir = Files.createTempDirectory("axc-hf-tokenizer");
        Path qwen = TokenizerFixtures.path("qwen2");
        ObjectNode root = (ObjectNode) Json.read(TokenizerFixtures.path("axc-tiny-py/tokenizer.json")).deepCopy();
        ObjectNode model = (ObjectNode) root.get("model");
        model.set("vocab", Json.read(qwen.resolve("vocab.json")));
        ArrayNode merges = Json.MAPPER.createArrayNode();
        for (String[] m : TokenizerLoader.readMergesTxt(qwen.resolve("merges.txt"))) merges.add(m[0] + " " + m[1]);
        model.set("merges", merges);
        ArrayNode added = Json.MAPPER.createArrayNode();
        for (AddedToken t : TokenizerConfig.read(TokenizerFiles.scan(qwen)).addedTokens()) {
            added.addObject().put("id", t.id()).put("content", t.content()).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", t.special());
        }
        root.set("added_tokens", added);
        Path file = tempDir.resolve("tokenizer.json");
        Json.MAPPER.writeValue(file.toFile(), root);
        fromJson = Tokenizer.load(tempDir);
        hf = HuggingFaceTokenizer.newInstance(file, Map.of(
                "addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "10000000"));
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        if (hf != null) hf.close();
        try (var files = Files.list(tempDir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(tempDir);
    }

    private static int[] hfIds(String text) {
        return Arrays.stream(hf.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Provide
    Arbitrary<String> texts() {
        return TextFragments.text();
    }

    @Property(tries = 1500)
    void sameIdsAsHuggingFace(@ForAll("texts") String text) {
        Tokenizer tok = TokenizerFixtures.qwen2();
        int[] ids = tok.encode(text);
        assertArrayEquals(hfIds(text), ids, () -> "text: " + escape(text));
        assertArrayEquals(ids, fromJson.encode(text), () -> "tokenizer.json, text: " + escape(text));
        assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), tok.decode(ids));
        assertEquals(hf.decode(Arrays.stream(ids).asLongStream().toArray(), false), tok.decode(ids));
    }

    @Provide
    Arbitrary<int[]> anyIds() {
        // Byte tokens freely mixed make malformed UTF-8: U+FFFD substitution must match Rust's.
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.integers().between(0, 255),
                net.jqwik.api.Arbitraries.integers().between(0, 151664)).array(int[].class).ofMaxSize(30);
    }

    @Property(tries = 1000)
    void sameDecodeAsHuggingFace(@ForAll("anyIds") int[] ids) {
        assertEquals(hf.decode(Arrays.stream(ids).asLongStream().toArray(), false), TokenizerFixtures.qwen2().decode(ids));
    }

    @Example
    void longRunsUseTheHeapMerge() {
        // Pieces over 48 bytes take the heap path: long words, long whitespace and digit-free symbol runs.
        String text = "a".repeat(300) + " " + "가나다라마바사".repeat(20) + "\t".repeat(70) + " ".repeat(129) + "x"
                + "=".repeat(90) + "\n" + "supercalifragilisticexpialidocious".repeat(5) + "😀".repeat(40);
        assertArrayEquals(hfIds(text), TokenizerFixtures.qwen2().encode(text));
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7F) b.appendCodePoint(c);
            else b.append(String.format("\\u{%X}", c));
        });
        return b.toString();
    }
}
