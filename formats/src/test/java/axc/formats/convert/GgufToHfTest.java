package axc.formats.convert;

import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.HfNames;
import axc.formats.quant.Dequantizer;
import axc.progress.Progress;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** llama.cpp's quantized GGUFs convert to a Hugging Face folder holding exactly their dequantized values. */
class GgufToHfTest {
    static Path fixture(String name) {
        try {
            return Path.of(GgufToHfTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-Q4_K.gguf", "tiny-Q8_0.gguf", "tiny-Q6_K.gguf"})
    void dequantizedConversionKeepsLlamaCppValues(String name, @TempDir Path tmp) {
        Path out = tmp.resolve("hf");
        Converter.convert(fixture(name), out, Converter.Format.SAFETENSORS, DType.F32, 0, Progress.SILENT);
        try (GgufFile g = GgufFile.open(fixture(name)); HfCheckpoint ck = HfCheckpoint.open(out)) {
            assertEquals(g.ggufTensors().size(), ck.tensors().tensors().size());
            for (GgufTensorInfo t : g.ggufTensors()) {
                String hf = GgufNames.toHf(t.name()).orElseThrow();
                float[] expected = Dequantizer.tensor(g, t.name());
                float[] got = ck.tensors().data(hf).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                assertArrayEquals(expected, got, hf);
            }
            assertEquals(256, ck.config().hiddenSize());
            assertEquals(DType.F32, ck.tensors().get(HfNames.EMBED).dtype());
        }
    }
}
