package axc.quant.gguf;

import axc.AxcVersion;
import axc.errors.InvalidInputException;
import axc.formats.convert.TensorCast;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufValue;
import axc.formats.gguf.GgufWriter;
import axc.formats.io.AtomicOutput;
import axc.formats.io.SegmentIo;
import axc.formats.quant.Dequantizer;
import axc.formats.quant.Quantizer;
import axc.progress.Progress;
import axc.quant.QuantizeReport;
import axc.quant.TensorError;
import axc.quant.recipe.Recipe;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Round-to-nearest quantization to llama.cpp's GGUF types, with llama.cpp's reference quantizers (so
 * simple types come out byte-identical to llama-quantize) and its per-tensor type mixes. Tensors stream
 * through in chunks of rows, quantized on all worker threads; metadata is carried over with
 * {@code general.file_type} and {@code general.quantization_version} set as llama-quantize sets them,
 * plus axc's provenance keys unless disabled.
 */
public final class GgufQuantizer {
    /** Elements per chunk: bounds the heap a tensor needs whatever its size. */
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private GgufQuantizer() {
    }

    public static QuantizeReport quantize(QuantSource src, Path out, Recipe recipe, boolean provenance, boolean measureError, Progress progress) {
        LlamaCppTypePolicy.FileType ftype = LlamaCppTypePolicy.FileType.parse(recipe.base());
        if (ftype == null) throw new InvalidInputException("recipe base '" + recipe.base() + "' is not a llama.cpp type");
        if (!recipe.algorithm().equals("rtn")) throw new InvalidInputException("GGUF output uses rtn; '" + recipe.algorithm() + "' writes quantized safetensors");
        LlamaCppTypePolicy policy = new LlamaCppTypePolicy(ftype, recipe.pure(), src.config().numLayers(), src.hasOutput());
        List<QuantSource.Tensor> order = new ArrayList<>(src.tensors());
        order.sort(LLAMA_ORDER);
        List<GgufWriter.Entry> entries = new ArrayList<>();
        List<TensorError> errors = Collections.synchronizedList(new ArrayList<>());
        long total = 0;
        for (QuantSource.Tensor t : order) {
            DType type = typeOf(recipe, policy, t);
            total += t.elements();
            entries.add(new GgufWriter.Entry(t.name(), type, t.ne(), ch -> {
                TensorError e = write(src, t, type, ch, measureError);
                if (e != null) errors.add(e);
                progress.advance(t.elements());
            }));
        }
        Map<String, GgufValue> meta = metadata(src.metadata(), ftype, recipe, provenance);
        long t0 = System.nanoTime();
        progress.start("quantize " + src.path().getFileName() + " -> " + out.getFileName() + " (" + recipe.name() + ")", total, "weights");
        AtomicOutput.writeFile(out, tmp -> GgufWriter.write(tmp, meta, entries));
        double secs = (System.nanoTime() - t0) / 1e9;
        long written = out.toFile().length();
        progress.done(String.format("%d tensors, %.1f MB in %.2f s", entries.size(), written / 1e6, secs));
        List<TensorError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparing(TensorError::name));
        return new QuantizeReport(out.toString(), "gguf", recipe.name(), recipe.algorithm(), entries.size(), written, secs, sorted);
    }

    static DType typeOf(Recipe recipe, LlamaCppTypePolicy policy, QuantSource.Tensor t) {
        String o = recipe.override(t.name(), t.sourceName());
        if (o != null && LlamaCppTypePolicy.quantizable(t.name(), t.ne().length)) {
            DType d = DType.valueOf(o.toUpperCase(Locale.ROOT));
            if (d.isQuantized() && t.rowLength() % d.blockSize() != 0) {
                throw new InvalidInputException("recipe rule gives " + t.name() + " type " + o + ", but its rows of " + t.rowLength()
                        + " do not split into " + d.blockSize() + "-element blocks");
            }
            return d;
        }
        return policy.typeOf(t.name(), t.ne().length, t.rowLength());
    }

    /** llama.cpp's tensor order: tensors outside layers first, then by layer, each by name. */
    static final Comparator<QuantSource.Tensor> LLAMA_ORDER = Comparator
            .comparingInt((QuantSource.Tensor t) -> LlamaCppTypePolicy.layer(t.name()))
            .thenComparing(QuantSource.Tensor::name);

    static Map<String, GgufValue> metadata(Map<String, GgufValue> in, LlamaCppTypePolicy.FileType ftype, Recipe recipe, boolean provenance) {
        Map<String, GgufValue> m = new LinkedHashMap<>(in);
        // llama-quantize sets these two last, each removed and appended in this order.
        m.remove("general.quantization_version");
        m.put("general.quantization_version", GgufValue.u32(2));
        m.remove("general.file_type");
        m.put("general.file_type", GgufValue.u32(ftype.id()));
        if (provenance) {
            m.put("axc.version", GgufValue.string(AxcVersion.version()));
            m.put("axc.quantize.recipe", GgufValue.string(recipe.toJson()));
            m.put("axc.quantize.seed", GgufValue.u64(0));
            m.put("axc.quantize.calibration_sha256", GgufValue.string("none"));
        }
        return m;
    }

    /** Streams one tensor in row chunks; returns its quantization error when asked. */
    static TensorError write(QuantSource src, QuantSource.Tensor t, DType type, WritableByteChannel ch, boolean measureError) throws IOException {
        MemorySegment data = src.store().data(t.sourceName());
        if (type == t.dtype() && !measureError) {
            SegmentIo.write(ch, data);
            return null;
        }
        long rowLength = t.rowLength();
        long rows = t.elements() / rowLength;
        if (rowLength > CHUNK_ELEMENTS) throw new InvalidInputException("tensor " + t.name() + ": rows of " + rowLength + " elements are too long");
        int step = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        float[] x = new float[(int) (step * rowLength)];
        int rowBytes = (int) type.bytesFor(rowLength);
        byte[] q = new byte[step * rowBytes];
        MemorySegment qs = MemorySegment.ofArray(q);
        double errSq = 0;
        double refSq = 0;
        float[] back = measureError ? new float[x.length] : null;
        for (long r = 0; r < rows; r += step) {
            int n = (int) Math.min(step, rows - r);
            Dequantizer.dequantizeRows(t.dtype(), data, rowLength, r, n, x, 0);
            if (!type.isQuantized()) {
                TensorCast.writeFloats(x, 0, (int) (n * rowLength), type, ch);
                continue;
            }
            IntStream rowsOfChunk = IntStream.range(0, n);
            if ((long) n * rowLength >= 65536) rowsOfChunk = rowsOfChunk.parallel();
            rowsOfChunk.forEach(i -> Quantizer.quantize(type, x, (int) (i * rowLength), (int) rowLength, qs, (long) i * rowBytes));
            SegmentIo.write(ch, ByteBuffer.wrap(q, 0, n * rowBytes));
            if (measureError) {
                Dequantizer.dequantize(type, qs, 0, back, 0, (int) (n * rowLength));
                for (int i = 0; i < n * rowLength; i++) {
                    double d = back[i] - x[i];
                    errSq += d * d;
                    refSq += (double) x[i] * x[i];
                }
            }
        }
        return measureError ? TensorError.of(t.name(), type.name(), errSq, refSq) : null;
    }
}
