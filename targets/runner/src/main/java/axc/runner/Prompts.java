package axc.runner;

import axc.errors.InvalidInputException;
import axc.formats.json.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation prompts and perplexity text: from files the user names, or the built-in set (English
 * prose, Python, Korean, Chinese, a ChatML exchange) so {@code axc validate} works with no arguments.
 */
public final class Prompts {
    private Prompts() {
    }

    /** A JSON array of strings, or a text file with one prompt per non-blank line. */
    public static List<String> read(Path file) {
        String text = readText(file);
        List<String> out = new ArrayList<>();
        if (file.toString().endsWith(".json")) {
            JsonNode a = Json.read(file);
            if (!a.isArray()) throw InvalidInputException.of(file, "expected a JSON array of prompt strings");
            for (JsonNode n : a) {
                if (!n.isTextual()) throw InvalidInputException.of(file, "prompt " + out.size() + " is not a string");
                out.add(n.asText());
            }
        } else {
            for (String line : text.split("\n")) if (!line.isBlank()) out.add(line.replace("\\n", "\n"));
        }
        if (out.isEmpty()) throw InvalidInputException.of(file, "no prompts in the file");
        return out;
    }

    public static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw InvalidInputException.of(file, "file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw InvalidInputException.of(file, "not valid UTF-8 text");
        } catch (IOException e) {
            throw InvalidInputException.of(file, "cannot read: " + e.getMessage());
        }
    }

    public static List<String> builtIn() {
        return read("prompts.json");
    }

    public static String builtInText() {
        return resource("perplexity.txt");
    }

    private static List<String> read(String name) {
        List<String> out = new ArrayList<>();
        Json.parse(resource(name).getBytes(StandardCharsets.UTF_8), name).forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = Prompts.class.getResourceAsStream("/axc/runner/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
