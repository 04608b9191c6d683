package axc.quant.gguf;

import axc.formats.dtype.DType;
import axc.formats.quant.RowQuantizerAccelerator;
import axc.progress.Progress;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import axc.target.cpu.NativeKernels;
import axc.target.cpu.NativeRowQuantizer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code axc quantize --pure --no-provenance} of llama.cpp's tiny F32 GGUF gives files byte-identical to
 * what {@code llama-quantize --pure} wrote: header, metadata order, tensor order, types and data. Both
 * with the Java kernels alone and with the native accelerator the cpu target registers (Q8_0 and
 * Q4_0 on AVX-512 machines).
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
        assertIdentical(preset, file, tmp, null);
    }

    @ParameterizedTest
    @CsvSource({"q8_0,Q8_0", "q4_0,Q4_0"})
    void byteIdenticalWithTheNativeQuantizer(String preset, String file, @TempDir Path tmp) throws IOException {
        NativeRowQuantizer fast = new NativeRowQuantizer();
        assertEquals(NativeKernels.available() && NativeKernels.axc_cpu_detected_level() >= NativeKernels.AVX512,
                fast.supports(DType.F32, DType.valueOf(file), 64), "the native quantizer runs wherever AVX-512 does");
        assertIdentical(preset, file, tmp, fast);
    }

    private static void assertIdentical(String preset, String file, Path tmp, RowQuantizerAccelerator fast) throws IOException {
        Recipe r = Presets.find(preset).orElseThrow();
        Recipe pure = new Recipe(r.name(), r.base(), r.algorithm(), true, r.rules(), r.options());
        Path out = tmp.resolve("out.gguf");
        try (QuantSource src = QuantSource.open(fixture("tiny-f32.gguf"))) {
            GgufQuantizer.quantize(src, out, pure, false, false, Progress.SILENT, null, fast);
        }
        assertArrayEquals(Files.readAllBytes(fixture("tiny-" + file + ".gguf")), Files.readAllBytes(out), preset);
    }
}
