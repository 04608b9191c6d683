package axc.quant.gguf;

import axc.AxcVersion;
import axc.errors.InvalidInputException;
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

    /**
     * Streams one tensor in row chunks; each row is decoded, quantized and (when asked) measured by one
     * worker, so every step runs on all threads. Per-row error sums are added in row order, so the
     * report does not depend on the thread count.
     */
    static TensorError write(QuantSource src, QuantSource.Tensor t, DType type, WritableByteChannel ch, boolean measureError) throws IOException {
        MemorySegment data = src.store().data(t.sourceName());
        if (type == t.dtype() && !measureError) {
            SegmentIo.write(ch, data);
            return null;
        }
        long rowLength = t.rowLength();
        long rows = t.elements() / rowLength;
        if (rowLength > CHUNK_ELEMENTS) throw new InvalidInputException("tensor " + t.name() + ": rows of " + rowLength + " elements are too long");
        int n0 = (int) rowLength;
        int step = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        int rowBytes = (int) type.bytesFor(rowLength);
        byte[] q = new byte[step * rowBytes];
        MemorySegment qs = MemorySegment.ofArray(q);
        double[] rowErr = new double[step];
        double[] rowRef = new double[step];
        double errSq = 0;
        double refSq = 0;
        ThreadLocal<float[][]> buffers = ThreadLocal.withInitial(() -> new float[][]{new float[n0], new float[n0]});
        for (long r = 0; r < rows; r += step) {
            int n = (int) Math.min(step, rows - r);
            long first = r;
            IntStream each = IntStream.range(0, n);
            if ((long) n * rowLength >= 65536) each = each.parallel();
            each.forEach(i -> {
                float[][] b = buffers.get();
                float[] x = b[0];
                Dequantizer.dequantizeRows(t.dtype(), data, rowLength, first + i, 1, x, 0);
                if (type.isQuantized()) {
                    Quantizer.quantize(type, x, 0, n0, qs, (long) i * rowBytes);
                } else {
                    encodeFloats(x, type, qs, (long) i * rowBytes);
                }
                if (measureError) {
                    double[] es = type == DType.Q8_0 ? q8Error(q, i * rowBytes, x, n0) : type == DType.Q4_0 ? q4Error(q, i * rowBytes, x, n0) : null;
                    if (es == null) {
                        float[] back = b[1];
                        Dequantizer.dequantize(type, qs, (long) i * rowBytes, back, 0, n0);
                        es = error(back, x, n0);
                    }
                    rowErr[i] = es[0];
                    rowRef[i] = es[1];
                }
            });
            SegmentIo.write(ch, ByteBuffer.wrap(q, 0, n * rowBytes));
            for (int i = 0; i < n; i++) {
                errSq += rowErr[i];
                refSq += rowRef[i];
            }
        }
        return measureError ? TensorError.of(t.name(), type.name(), errSq, refSq) : null;
    }

    /** Squared error and squared norm of a row, accumulated per 32-element block in float, then in double. */
    static double[] error(float[] back, float[] x, int n) {
        double e = 0, s = 0;
        for (int b = 0; b < n; b += 32) {
            float eb = 0, sb = 0;
            for (int k = b; k < Math.min(n, b + 32); k++) {
                float d = back[k] - x[k];
                eb += d * d;
                sb += x[k] * x[k];
            }
            e += eb;
            s += sb;
        }
        return new double[]{e, s};
    }

    /** The same for a Q8_0 row, read straight from its bytes (no dequantized copy). */
    static double[] q8Error(byte[] q, int off, float[] x, int n) {
        double e = 0, s = 0;
        for (int b = 0; b < n; b += 32, off += 34) {
            float d = Float.float16ToFloat((short) ((q[off] & 0xFF) | (q[off + 1] << 8)));
            float eb = 0, sb = 0;
            for (int k = 0; k < 32; k++) {
                float v = d * q[off + 2 + k] - x[b + k];
                eb += v * v;
                sb += x[b + k] * x[b + k];
            }
            e += eb;
            s += sb;
        }
        return new double[]{e, s};
    }

    /** The same for a Q4_0 row: value = d * (nibble - 8), low nibbles first. */
    static double[] q4Error(byte[] q, int off, float[] x, int n) {
        double e = 0, s = 0;
        for (int b = 0; b < n; b += 32, off += 18) {
            float d = Float.float16ToFloat((short) ((q[off] & 0xFF) | (q[off + 1] << 8)));
            float eb = 0, sb = 0;
            for (int k = 0; k < 16; k++) {
                int packed = q[off + 2 + k] & 0xFF;
                float lo = d * ((packed & 15) - 8) - x[b + k];
                float hi = d * ((packed >> 4) - 8) - x[b + 16 + k];
                eb += lo * lo + hi * hi;
                sb += x[b + k] * x[b + k] + x[b + 16 + k] * x[b + 16 + k];
            }
            e += eb;
            s += sb;
        }
        return new double[]{e, s};
    }

    private static void encodeFloats(float[] x, DType type, MemorySegment dst, long off) {
        for (int k = 0; k < x.length; k++) {
            switch (type) {
                case F32 -> dst.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), off + 4L * k, x[k]);
                case F16 -> dst.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), off + 2L * k,
                        axc.formats.dtype.FloatCodec.floatToF16(x[k]));
                case BF16 -> dst.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), off + 2L * k,
                        axc.formats.dtype.FloatCodec.floatToBf16(x[k]));
                default -> throw new IllegalArgumentException(type.name());
            }
        }
    }
}
