package axc.reference;

import axc.errors.InvalidInputException;
import axc.formats.convert.GgufNames;
import axc.formats.hf.Family;
import axc.formats.hf.HfNames;
import axc.formats.hf.ModelConfig;
import axc.formats.hf.QuantizationConfig;
import axc.formats.quant.Dequantizer;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.nio.file.Path;

/**
 * The tensors of a Qwen2/Qwen3 decoder by role, from a Hugging Face or GGUF store (names are looked up
 * under both conventions), as {@link Matrix} views or decoded vectors.
 */
public final class Weights {
    private final TensorStore store;
    private final ModelConfig config;
    private final SegmentMatrix.RowDecoder blocks;
    private final Path where;

    public Weights(TensorStore store, ModelConfig config, Path where) {
        this.store = store;
        this.config = config;
        this.blocks = (t, src, off, dst, n) -> Dequantizer.dequantize(t, src, off, dst, 0, n);
        this.where = where;
    }

    public ModelConfig config() {
        return config;
    }

    private TensorInfo info(String hfName) {
        if (store.contains(hfName)) return store.get(hfName);
        String g = GgufNames.toGguf(hfName).orElse(hfName);
        return store.find(g).orElseThrow(() -> InvalidInputException.of(where, "tensor " + hfName + " is missing"));
    }

    public boolean has(String hfName) {
        return store.contains(hfName) || GgufNames.toGguf(hfName).map(store::contains).orElse(false);
    }

    public Matrix matrix(String hfName) {
        QuantizationConfig q = config.quantization();
        boolean keptFloat = has(hfName) && info(hfName).dtype().isFloatStorage();
        if (q != null && !keptFloat && !hfName.equals(HfNames.EMBED) && !hfName.equals(HfNames.LM_HEAD)) return quantized(hfName, q);
        TensorInfo t = info(hfName);
        if (t.rank() != 2) throw InvalidInputException.of(where, "tensor " + t.name() + " is not a matrix: " + t.shapeString());
        return new SegmentMatrix(store.data(t.name()), t.dtype(), (int) t.dim(0), (int) t.dim(1), blocks);
    }

    /** A layer matrix stored packed, as its quantization config says. */
    private Matrix quantized(String hfName, QuantizationConfig q) {
        String base = hfName.substring(0, hfName.length() - ".weight".length());
        if (q.gptq()) {
            TensorInfo scales = info(base + ".scales");
            int rows = (int) scales.dim(1);
            int cols = (int) info(base + ".qweight").dim(0) * 8;
            return new GptqMatrix(rows, cols, q.groupSize(), store.data(base + ".qweight"), store.data(base + ".qzeros"),
                    store.data(base + ".scales"), has(base + ".g_idx") ? store.data(base + ".g_idx") : null);
        }
        TensorInfo w = info(hfName);
        return new Int8ChannelMatrix((int) w.dim(0), (int) w.dim(1), store.data(hfName), vector(base + ".weight_scale"), q.activationsInt8());
    }

    public float[] vector(String hfName) {
        TensorInfo t = info(hfName);
        long n = t.elements();
        Matrix m = new SegmentMatrix(store.data(t.name()), t.dtype(), 1, (int) n, blocks);
        float[] v = new float[(int) n];
        m.row(0, v);
        return v;
    }

    /**
     * Bytes of every matrix a decoded token reads: all layer matrices and the output head (the
     * embedding table counts once, as the head, when tied; one embedding row is negligible).
     */
    public long matrixBytes() {
        long n = 0;
        for (TensorInfo t : store.tensors()) {
            if (t.rank() == 2 && !(t.name().contains("embed_tokens") || t.name().equals("token_embd.weight"))) n += t.byteSize();
        }
        // Packed layouts: count their scales and zero-points too (1-D or small 2-D tensors).
        if (config.quantization() != null) {
            for (TensorInfo t : store.tensors()) if (t.name().endsWith(".g_idx")) n += t.byteSize();
        }
        if (config.tieWordEmbeddings() || !has(HfNames.LM_HEAD)) n += info(HfNames.EMBED).byteSize();
        return n;
    }

    /** The output head: lm_head, or the embeddings when tied (or when the file has no separate head). */
    public Matrix head() {
        if (!config.tieWordEmbeddings() && has(HfNames.LM_HEAD)) return matrix(HfNames.LM_HEAD);
        return matrix(HfNames.EMBED);
    }

    public boolean qwen3() {
        return config.family() == Family.QWEN3;
    }
}
