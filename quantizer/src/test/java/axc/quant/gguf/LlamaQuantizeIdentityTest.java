package axc.quant.gguf;

import axc.progress.Progress;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@code axc quantize --pure --no-provenance} of llama.cpp's tiny F32 GGUF gives files byte-identical to
 * what {@code llama-quantize --pure} wrote: header, metadata order, tensor order, types and data.
 */
class LlamaQuantizeIdentityTest {
    static Path fixture(String name) {
        try {
            return Path.of(LlamaQuantizeIdentityTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"q8_0,Q8_0", "q4_0,Q4_0", "q4_1,Q4_1", "q5_0,Q5_0", "q5_1,Q5_1", "q2_k,Q2_K", "q3_k_m,Q3_K", "q4_k_m,Q4_K", "q5_k_m,Q5_K", "q6_k,Q6_K"})
    void byteIdenticalToLlamaQuantize(String preset, String file, @TempDir Path tmp) throws IOException {
        Recipe r = Presets.find(preset).orElseThrow();
        Recipe pure = new Recipe(r.name(), r.base(), r.algorithm(), true, r.rules(), r.options());
        Path out = tmp.resolve("out.gguf");
        try (QuantSource src = QuantSource.open(fixture("tiny-f32.gguf"))) {
            GgufQuantizer.quantize(src, out, pure, false, false, Progress.SILENT);
        }
        assertArrayEquals(Files.readAllBytes(fixture("tiny-" + file + ".gguf")), Files.readAllBytes(out), preset);
    }
}
