package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufType;
import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufWriter;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.HfVocabulary;
import axc.formats.hf.ModelConfig;
import axc.formats.io.AtomicOutput;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;
import axc.progress.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face Qwen2/Qwen3 checkpoint -> GGUF with the metadata keys and tensor names llama.cpp's
 * converter writes and the tokenizer embedded. Matrices take the requested dtype; 1-D tensors (norms,
 * biases) stay F32 as llama.cpp keeps them. Tensors stream one at a time from the mapped input.
 */
public final class HfToGguf {
    private HfToGguf() {
    }

    public static ConvertResult convert(HfCheckpoint ck, Path out, DType dtype, Progress progress) {
        ModelConfig c = ck.config();
        TensorStore store = ck.tensors();
        DType matrixType = dtype != null ? dtype : defaultType(store);
        if (!matrixType.isFloatStorage()) throw new InvalidInputException("--dtype: GGUF conversion writes f32, f16 or bf16 (quantize with axc quantize)");
        List<GgufWriter.Entry> entries = new ArrayList<>();
        long total = 0;
        for (TensorInfo t : ordered(store)) {
            String name = GgufNames.toGguf(t.name())
                    .orElseThrow(() -> InvalidInputException.of(ck.dir(), "tensor " + t.name() + " has no GGUF name (not a Qwen2/Qwen3 tensor)"));
            if (!t.dtype().isFloatStorage()) throw InvalidInputException.of(ck.dir(), "tensor " + t.name() + " is " + t.dtype() + ", not a float checkpoint tensor");
            DType to = t.rank() == 1 ? DType.F32 : matrixType;
            total += t.byteSize();
            entries.add(new GgufWriter.Entry(name, to, axc.formats.gguf.GgufTensorInfo.neOf(t.shape()), ch -> {
                TensorCopy.write(store, t, to, ch);
                progress.advance(t.byteSize());
            }));
        }
        Map<String, GgufValue> meta = metadata(ck, matrixType);
        long t0 = System.nanoTime();
        progress.start("convert " + ck.dir().getFileName() + " -> " + out.getFileName(), total, "B");
        AtomicOutput.writeFile(out, tmp -> GgufWriter.write(tmp, meta, entries));
        double secs = (System.nanoTime() - t0) / 1e9;
        long written = out.toFile().length();
        progress.done(String.format("%d tensors, %.1f MB in %.2f s (%.0f MB/s)", entries.size(), written / 1e6, secs, written / 1e6 / secs));
        return new ConvertResult(out.toString(), "gguf", matrixType.name(), List.of(out.toString()), entries.size(), total, written, secs);
    }

    /** Float checkpoints keep their storage type by default, so a round trip is bit-exact. */
    static DType defaultType(TensorStore s) {
        return s.tensors().stream().filter(t -> t.rank() == 2).map(TensorInfo::dtype).findFirst().orElse(DType.F32);
    }

    /** llama.cpp's order: embeddings, each layer in turn, final norm, head. */
    public static List<TensorInfo> ordered(TensorStore s) {
        List<TensorInfo> all = new ArrayList<>(s.tensors());
        all.sort(java.util.Comparator.comparing((TensorInfo t) -> rank(t.name())).thenComparing(TensorInfo::name, HfToGguf::natural));
        return all;
    }

    private static int rank(String name) {
        if (name.startsWith("model.embed_tokens")) return 0;
        if (name.startsWith("model.layers.")) return 1;
        if (name.startsWith("model.norm")) return 2;
        return 3;
    }

    /** Orders layer numbers numerically so blk.10 follows blk.9. */
    static int natural(String a, String b) {
        java.util.regex.Matcher ma = java.util.regex.Pattern.compile("model\\.layers\\.(\\d+)\\.").matcher(a);
        java.util.regex.Matcher mb = java.util.regex.Pattern.compile("model\\.layers\\.(\\d+)\\.").matcher(b);
        if (ma.lookingAt() && mb.lookingAt()) {
            int c = Integer.compare(Integer.parseInt(ma.group(1)), Integer.parseInt(mb.group(1)));
            if (c != 0) return c;
        }
        return a.compareTo(b);
    }

    public static Map<String, GgufValue> metadata(HfCheckpoint ck, DType matrixType) {
        ModelConfig c = ck.config();
        String arch = c.family().ggufArch();
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(arch));
        m.put("general.type", GgufValue.string("model"));
        m.put("general.name", GgufValue.string(ck.dir().toAbsolutePath().getFileName().toString()));
        m.put("general.parameter_count", GgufValue.u64(ck.tensors().tensors().stream().mapToLong(TensorInfo::elements).sum()));
        m.put(arch + ".block_count", GgufValue.u32(c.numLayers()));
        m.put(arch + ".context_length", GgufValue.u32(c.maxPositionEmbeddings()));
        m.put(arch + ".embedding_length", GgufValue.u32(c.hiddenSize()));
        m.put(arch + ".feed_forward_length", GgufValue.u32(c.intermediateSize()));
        m.put(arch + ".attention.head_count", GgufValue.u32(c.numHeads()));
        m.put(arch + ".attention.head_count_kv", GgufValue.u32(c.numKvHeads()));
        m.put(arch + ".rope.freq_base", GgufValue.f32(c.ropeTheta()));
        m.put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.f32(c.rmsNormEps()));
        if (c.family() == Family.QWEN3 || c.headDim() * c.numHeads() != c.hiddenSize()) {
            m.put(arch + ".attention.key_length", GgufValue.u32(c.headDim()));
            m.put(arch + ".attention.value_length", GgufValue.u32(c.headDim()));
        }
        m.put("general.file_type", GgufValue.u32(GgufType.fileType(matrixType)));
        if (ck.tokenizer().hasVocabulary()) {
            HfVocabulary v = HfVocabulary.read(ck.tokenizer(), c);
            m.putAll(GgufTokenizerMetadata.of(v, c.vocabSize(), GgufTokenizerMetadata.preTokenizer(v)));
        }
        m.put("general.quantization_version", GgufValue.u32(2));
        return m;
    }
}
