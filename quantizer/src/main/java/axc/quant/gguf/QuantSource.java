package axc.quant.gguf;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufHfConfig;
import axc.formats.convert.GgufNames;
import axc.formats.convert.HfToGguf;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.gguf.GgufTensorInfo;
import axc.formats.gguf.GgufValue;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a quantization reads, seen with GGUF names: a Hugging Face folder (named and described as
 * the converter would) or a GGUF file (its own metadata and tensors).
 */
public record QuantSource(Path path, ModelConfig config, Map<String, GgufValue> metadata, List<Tensor> tensors,
                          TensorStore store, AutoCloseable owner) implements AutoCloseable {

    /** One tensor: its GGUF name, ggml shape, source name and type. */
    public record Tensor(String name, long[] ne, String sourceName, DType dtype) {
        public long rowLength() {
            return ne[0];
        }

        public long elements() {
            long n = 1;
            for (long d : ne) n *= d;
            return n;
        }
    }

    public static QuantSource open(Path in) {
        if (!Files.exists(in)) throw InvalidInputException.of(in, "no such file or directory");
        if (HfCheckpoint.looksLike(in)) {
            HfCheckpoint ck = HfCheckpoint.open(in);
            try {
                List<Tensor> ts = new ArrayList<>();
                for (TensorInfo t : HfToGguf.ordered(ck.tensors())) {
                    String g = GgufNames.toGguf(t.name()).orElseThrow(() -> InvalidInputException.of(in, "tensor " + t.name() + " has no GGUF name"));
                    ts.add(new Tensor(g, GgufTensorInfo.neOf(t.shape()), t.name(), t.dtype()));
                }
                return new QuantSource(in, ck.config(), new LinkedHashMap<>(HfToGguf.metadata(ck, DType.F32)), ts, ck.tensors(), ck);
            } catch (RuntimeException e) {
                ck.close();
                throw e;
            }
        }
        if (Files.isRegularFile(in) && GgufFile.looksLike(in)) {
            GgufFile g = GgufFile.open(in);
            try {
                List<Tensor> ts = new ArrayList<>();
                for (GgufTensorInfo t : g.ggufTensors()) ts.add(new Tensor(t.name(), t.ne(), t.name(), t.dtype()));
                return new QuantSource(in, GgufHfConfig.modelConfig(g), new LinkedHashMap<>(g.metadata()), ts, g, g);
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
        }
        if (HfCheckpoint.looksLikePickle(in)) throw HfCheckpoint.pickleRefused(in);
        throw InvalidInputException.of(in, "not a Hugging Face folder (config.json) or a GGUF file");
    }

    public boolean hasOutput() {
        return tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception ignored) {
            // closing a mapping
        }
    }
}
