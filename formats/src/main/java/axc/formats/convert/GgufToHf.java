package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.formats.io.AtomicOutput;
import axc.formats.json.Json;
import axc.formats.quant.Dequantizer;
import axc.formats.safetensors.SafetensorsWriter;
import axc.progress.Progress;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** GGUF (qwen2/qwen3) -> Hugging Face folder: config, tokenizer files and safetensors. */
public final class GgufToHf {
    private GgufToHf() {
    }

    public static ConvertResult convert(GgufFile g, Path out, DType dtype, long maxShardBytes, Progress progress) {
        GgufHfConfig.modelConfig(g); // refuses metadata the tensors contradict before anything is written
        DType target = dtype != null ? dtype : defaultType(g);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        long total = 0;
        for (GgufTensorInfo t : g.ggufTensors()) {
            String name = GgufNames.toHf(t.name()).orElseThrow(() -> InvalidInputException.of(g.path(), "tensor " + t.name() + " has no Hugging Face name"));
            if (!t.dtype().isFloatStorage() && !Dequantizer.supports(t.dtype())) {
                throw new UnsupportedFeatureException(g.path() + ": tensor " + t.name() + " is " + t.dtype() + ", which axc cannot dequantize");
            }
            total += t.byteSize();
            entries.add(new SafetensorsWriter.Entry(name, target, t.info().shape(), ch -> {
                if (t.dtype().isFloatStorage()) TensorCopy.write(g, t.info(), target, ch);
                else dequantized(g, t, target, ch);
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

    /** Dequantizes a block-quantized tensor a few rows at a time into {@code target}. */
    private static void dequantized(GgufFile g, GgufTensorInfo t, DType target, java.nio.channels.WritableByteChannel ch) throws java.io.IOException {
        long rowLength = t.ne()[0];
        long rows = t.info().elements() / rowLength;
        int step = (int) Math.max(1, (1 << 20) / rowLength);
        float[] buf = new float[(int) (step * rowLength)];
        MemorySegment data = g.data(t.name());
        for (long r = 0; r < rows; r += step) {
            int n = (int) Math.min(step, rows - r);
            Dequantizer.dequantizeRows(t.dtype(), data, rowLength, r, n, buf, 0);
            TensorCast.writeFloats(buf, 0, (int) (n * rowLength), target, ch);
        }
    }

    /** The GGUF's matrix type, so HF -> GGUF -> HF restores the original storage type. */
    static DType defaultType(GgufFile g) {
        return g.ggufTensors().stream().filter(t -> t.ne().length == 2)
                .map(t -> t.dtype().isFloatStorage() ? t.dtype() : DType.F32).findFirst().orElse(DType.F32);
    }
}
