package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.formats.io.AtomicOutput;
import axc.formats.json.Json;
import axc.formats.safetensors.SafetensorsWriter;
import axc.progress.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** GGUF (qwen2/qwen3) -> Hugging Face folder: config, tokenizer files and safetensors. */
public final class GgufToHf {
    private GgufToHf() {
    }

    public static ConvertResult convert(GgufFile g, Path out, DType dtype, long maxShardBytes, Progress progress) {
        GgufHfConfig.family(g);
        DType target = dtype != null ? dtype : defaultType(g);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        long total = 0;
        for (GgufTensorInfo t : g.ggufTensors()) {
            String name = GgufNames.toHf(t.name()).orElseThrow(() -> InvalidInputException.of(g.path(), "tensor " + t.name() + " has no Hugging Face name"));
            if (!t.dtype().isFloatStorage()) {
                throw new UnsupportedFeatureException(g.path() + ": tensor " + t.name() + " is " + t.dtype() + ": dequantizing to safetensors is not supported yet");
            }
            total += t.byteSize();
            entries.add(new SafetensorsWriter.Entry(name, target, t.info().shape(), ch -> {
                TensorCopy.write(g, t.info(), target, ch);
                progress.advance(t.byteSize());
            }));
        }
        entries.sort(java.util.Comparator.comparing(SafetensorsWriter.Entry::name, HfToGguf::natural));
        List<String> files = new ArrayList<>();
        long t0 = System.nanoTime();
        progress.start("convert " + g.path().getFileName() + " -> " + out.getFileName(), total, "B");
        AtomicOutput.writeDirectory(out, tmp -> {
            files.addAll(HfDirectoryWriter.writeTensors(tmp, entries, maxShardBytes));
            Files.writeString(tmp.resolve("config.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(GgufHfConfig.of(g, HfToHf.torchName(target))) + "\n");
            GgufHfTokenizer.write(g, tmp);
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        long written = 0;
        for (String f : files) written += out.resolve(f).toFile().length();
        progress.done(String.format("%d tensors, %.1f MB in %.2f s (%.0f MB/s)", entries.size(), written / 1e6, secs, written / 1e6 / secs));
        return new ConvertResult(out.toString(), "safetensors", target.name(), files, entries.size(), total, written, secs);
    }

    /** The GGUF's matrix type, so HF -> GGUF -> HF restores the original storage type. */
    static DType defaultType(GgufFile g) {
        return g.ggufTensors().stream().filter(t -> t.ne().length == 2 && t.dtype().isFloatStorage())
                .map(GgufTensorInfo::dtype).findFirst().orElse(DType.F32);
    }
}
