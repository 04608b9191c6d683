package axc.examples;

import axc.formats.convert.Converter;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.progress.Progress;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A GGUF that axc writes from a generated checkpoint loads in llama.cpp (through its JNI binding),
 * tokenizes as the real Qwen2 tokenizer does, and generates. The binding's llama.cpp (build 4916,
 * March 2025) predates llama.cpp's qwen3 architecture, so only qwen2 files can be checked here.
 */
class LlamaCppLoadsConvertedGgufTest {
    @BeforeAll
    static void quiet() {
        LlamaModel.setLogger(LogFormat.TEXT, (level, msg) -> { if (level == de.kherud.llama.LogLevel.ERROR || level == de.kherud.llama.LogLevel.WARN) System.err.println("llama.cpp: " + msg.strip()); });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void llamaCppLoadsTokenizesAndGenerates(DType dtype, @TempDir Path tmp) {
        ModelSpec spec = ModelSpec.preset("tiny").withFamily(Family.QWEN2).withDtype(DType.F32).withTied(dtype != DType.F16);
        Path hf = tmp.resolve("hf");
        CheckpointGenerator.write(spec, hf);
        Path gguf = tmp.resolve("model.gguf");
        Converter.convert(hf, gguf, Converter.Format.GGUF, dtype, 0, Progress.SILENT);
        try (LlamaModel model = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(256).setThreads(2).setGpuLayers(0))) {
            // Expected ids from llama.cpp's own qwen2 tokenizer test vectors (ggml-vocab-qwen2.gguf.out).
            assertArrayEquals(new int[]{9707, 1879}, model.encode("Hello world"));
            assertArrayEquals(new int[]{21927, 1879}, model.encode(" Hello world"));
            assertArrayEquals(new int[]{151644, 872, 198}, model.encode("<|im_start|>user\n"));
            String out = model.complete(new InferenceParameters("def main():").setNPredict(8).setTemperature(0f).setSeed(1));
            assertFalse(out == null);
        }
    }
}
