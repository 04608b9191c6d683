package axc.cli;

import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void generate() {
        model = tmp.resolve("tiny");
        CliHarness r = CliHarness.run("-q", "generate", "--preset", "tiny", "-o", model.toString());
        assertEquals(0, r.code(), r.err());
    }

    static JsonNode json(CliHarness r) {
        assertEquals(0, r.code(), r.err());
        return Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    }

    static int[] ids(JsonNode j) {
        int[] r = new int[j.get("ids").size()];
        for (int i = 0; i < r.length; i++) r[i] = j.get("ids").get(i).asInt();
        return r;
    }

    @Test
    void helloWorldGivesQwenIdsInATable() {
        CliHarness r = CliHarness.run("tokenize", model.toString(), "--text", "Hello world");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("index    id  piece", "    0  9707  \"Hello\"", "    1  1879  \" world\"", "2 tokens"), lines);
    }

    @Test
    void jsonHasTheDocumentedFields() {
        JsonNode j = json(CliHarness.run("--json", "tokenize", model.toString(), "--text", "Hello world"));
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = j.fieldNames(); it.hasNext(); ) keys.add(it.next());
        assertEquals(List.of("model", "text", "chat", "count", "ids", "pieces"), keys);
        assertEquals(model.toString(), j.get("model").asText());
        assertEquals("Hello world", j.get("text").asText());
        assertFalse(j.get("chat").asBoolean());
        assertEquals(2, j.get("count").asInt());
        assertArrayEquals(new int[]{9707, 1879}, ids(j));
        assertEquals("Hello", j.get("pieces").get(0).asText());
        assertEquals("\u0120world", j.get("pieces").get(1).asText());
    }

    @Test
    void chatWrapsTheTextAsAUserTurn() {
        JsonNode j = json(CliHarness.run("tokenize", model.toString(), "--text", "Hello world", "--chat", "--json"));
        assertTrue(j.get("chat").asBoolean());
        String text = j.get("text").asText();
        assertTrue(text.startsWith("<|im_start|>system\n"), text);
        assertTrue(text.endsWith("<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n"), text);
        int[] ids = ids(j);
        assertEquals(151644, ids[0]);
        assertEquals(ids.length, j.get("count").asInt());
        // ... user \n Hello world <|im_end|> \n <|im_start|> assistant \n
        assertArrayEquals(new int[]{872, 198, 9707, 1879, 151645, 198, 151644, 77091, 198},
                java.util.Arrays.copyOfRange(ids, ids.length - 9, ids.length));

        CliHarness table = CliHarness.run("tokenize", model.toString(), "--text", "Hello world", "--chat");
        assertEquals(0, table.code(), table.err());
        assertEquals("    0  151644  \"<|im_start|>\"", table.out().lines().toList().get(1));
    }

    @Test
    void fileIsTokenizedAsStoredWithEscapedPieces() throws Exception {
        Path f = tmp.resolve("prompt.txt");
        Files.writeString(f, "Hello world\n\tx\"\\", StandardCharsets.UTF_8);
        CliHarness r = CliHarness.run("tokenize", model.toString(), "--file", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("     198  \"\\n\"") || r.out().contains("  \"\\n"), r.out());
        assertTrue(r.out().contains("\\t"), r.out());
        assertTrue(r.out().contains("\\\"") && r.out().contains("\\\\"), r.out());
        JsonNode j = json(CliHarness.run("--json", "tokenize", model.toString(), "--file", f.toString()));
        assertEquals("Hello world\n\tx\"\\", j.get("text").asText());
        assertArrayEquals(new int[]{9707, 1879, 198}, java.util.Arrays.copyOf(ids(j), 3));
    }

    @Test
    void tokensEndingInsideACharacterShowTheirBytes() {
        // A private-use character (F4 8F BF BD) has no token: byte-level BPE splits it into pieces of a character.
        CliHarness r = CliHarness.run("tokenize", model.toString(), "--text", "\uDBFF\uDFFD");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*\"(\\\\x[0-9A-F]{2})+\".*"), r.out());
    }

    @Test
    void missingFilesExitThree() {
        Path missing = tmp.resolve("no-such.txt");
        CliHarness f = CliHarness.run("tokenize", model.toString(), "--file", missing.toString());
        assertEquals(ExitCodes.INVALID_INPUT, f.code());
        assertTrue(f.err().contains(missing.toString()), f.err());
        Path noModel = tmp.resolve("no-such-model");
        CliHarness m = CliHarness.run("tokenize", noModel.toString(), "--text", "x");
        assertEquals(ExitCodes.INVALID_INPUT, m.code());
        assertTrue(m.err().contains(noModel.toString()), m.err());
        assertEquals(ExitCodes.INVALID_INPUT, CliHarness.run("tokenize", tmp.toString(), "--text", "x").code());
    }

    @Test
    void unknownChatTemplateExitsFourOnlyWithChat() throws Exception {
        Path odd = tmp.resolve("odd-template");
        Files.createDirectories(odd);
        for (String n : List.of("vocab.json", "merges.txt")) Files.copy(model.resolve(n), odd.resolve(n));
        ObjectNode cfg = (ObjectNode) Json.read(model.resolve("tokenizer_config.json"));
        cfg.put("chat_template", "{% for m in messages %}[{{ m.content }}]{% endfor %}");
        Files.writeString(odd.resolve("tokenizer_config.json"), Json.MAPPER.writeValueAsString(cfg));

        CliHarness chat = CliHarness.run("tokenize", odd.toString(), "--text", "Hello world", "--chat");
        assertEquals(ExitCodes.UNSUPPORTED, chat.code(), chat.err());
        assertEquals(1, chat.err().strip().lines().count(), chat.err());
        assertTrue(chat.err().contains("chat template not recognised") && chat.err().contains("--raw"), chat.err());
        assertEquals(0, CliHarness.run("tokenize", odd.toString(), "--text", "Hello world").code());
        CliHarness raw = CliHarness.run("--json", "tokenize", odd.toString(), "--text", "Hello world", "--raw");
        assertArrayEquals(new int[]{9707, 1879}, ids(json(raw)));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCodes.USAGE, CliHarness.run("tokenize", model.toString()).code());
        assertEquals(ExitCodes.USAGE, CliHarness.run("tokenize", model.toString(), "--text", "a", "--file", "b").code());
        assertEquals(ExitCodes.USAGE, CliHarness.run("tokenize", model.toString(), "--text", "a", "--chat", "--raw").code());
    }

    @Test
    void ggufFileCarriesTheSameTokenizer() {
        Path gguf = tmp.resolve("tiny.gguf");
        assertEquals(0, CliHarness.run("-q", "convert", model.toString(), "-o", gguf.toString()).code());
        for (String[] extra : List.of(new String[0], new String[]{"--chat"})) {
            List<String> a = new ArrayList<>(List.of("--json", "tokenize", model.toString(), "--text", "안녕하세요 <|im_end|> world"));
            List<String> b = new ArrayList<>(List.of("--json", "tokenize", gguf.toString(), "--text", "안녕하세요 <|im_end|> world"));
            a.addAll(List.of(extra));
            b.addAll(List.of(extra));
            JsonNode ja = json(CliHarness.run(a.toArray(String[]::new)));
            JsonNode jb = json(CliHarness.run(b.toArray(String[]::new)));
            assertEquals(ja.get("ids"), jb.get("ids"));
            assertEquals(ja.get("pieces"), jb.get("pieces"));
        }
    }
}
