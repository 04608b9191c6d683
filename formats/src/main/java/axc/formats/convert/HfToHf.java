package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.hf.HfCheckpoint;
import axc.formats.io.AtomicOutput;
import axc.formats.json.Json;
import axc.formats.safetensors.SafetensorsWriter;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.progress.Progress;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Hugging Face -> Hugging Face: re-cast (f32/f16/bf16) and re-shard, carrying config and tokenizer. */
public final class HfToHf {
    private HfToHf() {
    }

    public static ConvertResult convert(HfCheckpoint ck, Path out, DType dtype, long maxShardBytes, Progress progress) {
        TensorStore store = ck.tensors();
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        long total = 0;
        for (TensorInfo t : HfToGguf.ordered(store)) {
            if (!t.dtype().isFloatStorage()) throw InvalidInputException.of(ck.dir(), "tensor " + t.name() + " is " + t.dtype() + ": only float checkpoints can be re-cast");
            DType to = dtype == null ? t.dtype() : dtype;
            total += t.byteSize();
            entries.add(new SafetensorsWriter.Entry(t.name(), to, t.shape(), ch -> {
                TensorCopy.write(store, t, to, ch);
                progress.advance(t.byteSize());
            }));
        }
        List<String> files = new ArrayList<>();
        long t0 = System.nanoTime();
        progress.start("convert " + ck.dir().getFileName() + " -> " + out.getFileName(), total, "B");
        AtomicOutput.writeDirectory(out, tmp -> {
            files.addAll(HfDirectoryWriter.writeTensors(tmp, entries, maxShardBytes));
            ObjectNode cfg = (ObjectNode) Json.read(ck.dir().resolve("config.json"));
            if (dtype != null) {
                String name = torchName(dtype);
                if (cfg.has("dtype")) cfg.put("dtype", name);
                else cfg.put("torch_dtype", name);
            }
            Files.writeString(tmp.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg) + "\n");
            ck.tokenizer().copyTo(tmp);
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        long written = 0;
        for (String f : files) written += out.resolve(f).toFile().length();
        progress.done(String.format("%d tensors, %.1f MB in %.2f s (%.0f MB/s)", entries.size(), written / 1e6, secs, written / 1e6 / secs));
        return new ConvertResult(out.toString(), "safetensors", dtype == null ? "unchanged" : dtype.name(), files, entries.size(), total, written, secs);
    }

    static String torchName(DType t) {
        return switch (t) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException(t.name());
        };
    }
}
