package axc.quant.gguf;

import axc.examples.CheckpointGenerator;
import axc.examples.ExampleModels;
import axc.examples.ModelSpec;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.progress.Progress;
import axc.quant.recipe.Presets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * axc's llama.cpp presets give the mixes llama-quantize gives: for every file type, every tensor's
 * type, and on the trained model every tensor's bytes, equal llama-quantize's own output (recorded in
 * {@code llamacpp-mixes/*.json} by {@code benchmarks/llama-cpp/mix-fixture.py} from a native build of
 * llama.cpp; commit in the files). F16 and BF16 keep every matrix at their type, the head included. The trained model has 256-wide rows, so its mixes raise attn_v,
 * attn_output and ffn_down as each file type does; the generated tiny model's 64-wide rows send every
 * K-quant to its fallback type.
 */
class LlamaQuantizeMixTest {
    private static final String[] FILE_TYPES = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L",
            "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "F16", "BF16"};

    @TempDir
    static Path models;

    @BeforeAll
    static void writeModels() {
        ExampleModels.extractTinyPy(models.resolve("trained"));
        CheckpointGenerator.write(ModelSpec.preset("tiny"), models.resolve("generated"));
    }

    static String[] fileTypes() {
        return FILE_TYPES;
    }

    @ParameterizedTest
    @MethodSource("fileTypes")
    void trainedModelMatchesLlamaQuantizeByteForByte(String fileType, @TempDir Path tmp) throws IOException {
        Map<String, String> expected = expected("axc-tiny-py.json", fileType, true);
        assertEquals(expected, quantized(models.resolve("trained"), fileType, tmp, true));
    }

    @ParameterizedTest
    @MethodSource("fileTypes")
    void narrowRowsFallBackAsLlamaQuantizeDoes(String fileType, @TempDir Path tmp) throws IOException {
        Map<String, String> expected = expected("generated-tiny.json", fileType, false);
        assertEquals(expected, quantized(models.resolve("generated"), fileType, tmp, false));
    }

    /** Every fixture file type is an axc preset, and the test covers each of them. */
    @Test
    void everyFileTypeIsAPreset() throws IOException {
        for (String file : new String[]{"axc-tiny-py.json", "generated-tiny.json"}) {
            JsonNode types = fixture(file).get("file_types");
            assertEquals(FILE_TYPES.length, types.size(), file);
            for (String t : FILE_TYPES) {
                assertTrue(types.has(t), file + " " + t);
                assertTrue(Presets.find(t.toLowerCase(Locale.ROOT)).isPresent(), t);
            }
        }
    }

    /** tensor name -> "TYPE" or "TYPE sha256". */
    private static Map<String, String> quantized(Path model, String fileType, Path tmp, boolean hashes) {
        Path out = tmp.resolve("out.gguf");
        try (QuantSource src = QuantSource.open(model)) {
            GgufQuantizer.quantize(src, out, Presets.find(fileType.toLowerCase(Locale.ROOT)).orElseThrow(), false, false, Progress.SILENT);
        }
        Map<String, String> m = new TreeMap<>();
        try (GgufFile g = GgufFile.open(out)) {
            for (GgufTensorInfo t : g.ggufTensors()) {
                String v = t.dtype().name();
                if (hashes) v += " " + sha256(g.data(t.name()).toArray(ValueLayout.JAVA_BYTE));
                m.put(t.name(), v);
            }
        }
        return m;
    }

    private static Map<String, String> expected(String file, String fileType, boolean hashes) throws IOException {
        Map<String, String> m = new TreeMap<>();
        fixture(file).get("file_types").get(fileType).properties().forEach(e -> {
            String v = e.getValue().get("type").asText();
            if (hashes) v += " " + e.getValue().get("sha256").asText();
            m.put(e.getKey(), v);
        });
        return m;
    }

    private static JsonNode fixture(String file) throws IOException {
        try (InputStream in = LlamaQuantizeMixTest.class.getResourceAsStream("/llamacpp-mixes/" + file)) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
