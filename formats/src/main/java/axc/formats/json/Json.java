package axc.formats.json;

import axc.errors.InvalidInputException;
import axc.formats.io.InputFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one JSON mapper axc reads untrusted files with: duplicate keys are errors, nesting and string
 * lengths are bounded, and every failure becomes an {@link InvalidInputException} naming the file.
 */
public final class Json {
    /** Deep enough for any real config or tokenizer; shallow enough that hostile nesting fails fast. */
    public static final int MAX_NESTING = 256;

    /**
     * Field names are neither interned nor canonicalized: a vocabulary is one object with ~150k unique
     * keys, and interning each made parsing it ten times slower (0.25 s instead of 0.025 s).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python's json writes NaN/Infinity
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxStringLength(64 << 20)
                .maxNumberLength(400)
                .build());
    }

    private Json() {
    }

    /** Parses a JSON file; any syntax problem becomes a one-line error naming {@code file}. */
    public static JsonNode read(Path file) {
        return parse(InputFiles.readSmall(file), file.toString());
    }

    /** Parses JSON bytes; {@code where} names the source in errors. */
    public static JsonNode parse(byte[] bytes, String where) {
        try (JsonParser p = MAPPER.getFactory().createParser(bytes)) {
            JsonNode node = MAPPER.readTree(p);
            if (node == null) throw new InvalidInputException(where + ": empty JSON");
            if (p.nextToken() != null) throw new InvalidInputException(where + ": trailing data after JSON value");
            return node;
        } catch (IOException e) {
            throw new InvalidInputException(where + ": malformed JSON: " + firstLine(e.getMessage()), e);
        }
    }

    public static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
