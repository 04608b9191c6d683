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
import axc.formats.quant.RowQuantizerAccelerator;
import axc.formats.tensor.NonFiniteScan;
import axc.progress.Progress;
import axc.quant.QuantizeReport;
import axc.quant.TensorError;
import axc.quant.recipe.Recipe;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Round-to-nearest quantization to llama.cpp's GGUF types, with llama.cpp's reference quantizers (so
 * simple types come out byte-identical to llama-quantize) and its per-tensor type mixes. Tensors stream
 * through in chunks of rows, quantized on all cores a window ahead of the writer ({@link OrderedAhead}); metadata is carried over with
 * {@code general.file_type} and {@code general.quantization_version} set as llama-quantize sets them,
 * plus axc's provenance keys unless disabled.
 */
public final class GgufQuantizer {
    /** Elements per chunk: bounds the heap a tensor needs whatever its size. */
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private GgufQuantizer() {
    }

    public static QuantizeReport quantize(QuantSource src, Path out, Recipe recipe, boolean provenance, boolean measureError, Progress progress) {
        return quantize(src, out, recipe, provenance, measureError, progress, null);
    }

    /**
     * As above; with {@code nonFinite} not null, every tensor holding NaN or infinite values is handed
     * to it, with exact counts, once written and before the output is committed. The count rides on the
     * pass: a chunk whose input norm (summed for the error report) is finite holds none, so only a
     * flagged chunk is read again; without the sums, or on the Java kernels, every value is looked at
     * as it goes by. The handler may throw to abandon the output.
     */
    public static QuantizeReport quantize(QuantSource src, Path out, Recipe recipe, boolean provenance, boolean measureError, Progress progress,
                                          Consumer<NonFiniteScan.Finding> nonFinite) {
        return quantize(src, out, recipe, provenance, measureError, progress, nonFinite, RowQuantizerAccelerator.find().orElse(null));
    }

    /** As above, with the types {@code fast} supports quantized by it (null: all on the Java kernels). */
    static QuantizeReport quantize(QuantSource src, Path out, Recipe recipe, boolean provenance, boolean measureError, Progress progress,
                                   Consumer<NonFiniteScan.Finding> nonFinite, RowQuantizerAccelerator fast) {
        LlamaCppTypePolicy.FileType ftype = LlamaCppTypePolicy.FileType.parse(recipe.base());
        if (ftype == null) throw new InvalidInputException("recipe base '" + recipe.base() + "' is not a llama.cpp type");
        if (!recipe.algorithm().equals("rtn")) throw new InvalidInputException("GGUF output uses rtn; '" + recipe.algorithm() + "' writes quantized safetensors");
        LlamaCppTypePolicy policy = new LlamaCppTypePolicy(ftype, recipe.pure(), src.config().numLayers(), src.hasOutput(),
                src.config().numHeads() / src.config().numKvHeads());
        List<QuantSource.Tensor> order = new ArrayList<>(src.tensors());
        order.sort(LLAMA_ORDER);
        List<DType> types = new ArrayList<>();
        List<Chunk> chunks = new ArrayList<>();
        long total = 0;
        for (QuantSource.Tensor t : order) {
            DType type = typeOf(recipe, policy, t);
            types.add(type);
            total += t.elements();
            // A tensor kept at its stored type is copied as it is: its error is zero, nothing to measure.
            if (type != t.dtype()) chunks.addAll(chunks(src, t, type, measureError, nonFinite != null, fast));
        }
        Map<String, GgufValue> meta = metadata(src.metadata(), ftype, recipe, provenance);
        long t0 = System.nanoTime();
        progress.start("quantize " + src.path().getFileName() + " -> " + out.getFileName() + " (" + recipe.name() + ")", total, "weights");
        List<TensorError> errors = new ArrayList<>();
        List<GgufWriter.Entry> entries = new ArrayList<>();
        try (OrderedAhead<Chunk.Done> ahead = new OrderedAhead<>(chunks.iterator(), Runtime.getRuntime().availableProcessors())) {
            for (int k = 0; k < order.size(); k++) {
                QuantSource.Tensor t = order.get(k);
                DType type = types.get(k);
                entries.add(new GgufWriter.Entry(t.name(), type, t.ne(), ch -> {
                    long[] bad = new long[2]; // NaN, infinite
                    if (type == t.dtype()) {
                        MemorySegment data = src.store().data(t.sourceName());
                        if (nonFinite != null) bad = NonFiniteScan.count(t.dtype(), data, 0, t.elements());
                        SegmentIo.write(ch, data);
                        if (measureError) errors.add(TensorError.of(t.name(), type.name(), 0, 0));
                    } else {
                        double errSq = 0, refSq = 0;
                        for (long done = 0; done < t.elements(); ) {
                            Chunk.Done c = ahead.next();
                            SegmentIo.write(ch, ByteBuffer.wrap(c.bytes()));
                            errSq += c.errSq();
                            refSq += c.refSq();
                            bad[0] += c.nan();
                            bad[1] += c.inf();
                            done += c.elements();
                        }
                        if (measureError) errors.add(TensorError.of(t.name(), type.name(), errSq, refSq));
                    }
                    if (bad[0] + bad[1] > 0) nonFinite.accept(new NonFiniteScan.Finding(t.sourceName(), bad[0], bad[1], t.elements()));
                    progress.advance(t.elements());
                }));
            }
            AtomicOutput.writeFile(out, tmp -> GgufWriter.write(tmp, meta, entries));
        }
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

    /** The row chunks of one tensor, each a task that decodes, quantizes and (when asked) measures its rows and counts their non-finite values. */
    static List<Chunk> chunks(QuantSource src, QuantSource.Tensor t, DType type, boolean measureError, boolean countNonFinite,
                              RowQuantizerAccelerator accelerator) {
        long rowLength = t.rowLength();
        if (rowLength > CHUNK_ELEMENTS) throw new InvalidInputException("tensor " + t.name() + ": rows of " + rowLength + " elements are too long");
        long rows = t.elements() / rowLength;
        int step = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        RowQuantizerAccelerator fast = accelerator != null && accelerator.supports(t.dtype(), type, (int) rowLength)
                && src.store().data(t.sourceName()).isNative() ? accelerator : null;
        List<Chunk> out = new ArrayList<>();
        for (long r = 0; r < rows; r += step) {
            out.add(new Chunk(src, t, type, r, (int) Math.min(step, rows - r), measureError, countNonFinite, fast));
        }
        return out;
    }

    /**
     * Rows {@code [first, first+rows)} of one tensor, on {@code fast} when it takes them (null: the Java
     * kernels). Per-row error sums are added in row order, and chunks in chunk order, so the report
     * does not depend on the thread count.
     */
    record Chunk(QuantSource src, QuantSource.Tensor t, DType type, long first, int rows, boolean measureError, boolean countNonFinite,
                 RowQuantizerAccelerator fast) implements Callable<Chunk.Done> {
        record Done(byte[] bytes, long elements, double errSq, double refSq, long nan, long inf) {
        }

        /** A worker's row buffers, reused across chunks: the loop allocates only each chunk's output. */
        private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[2][0]);

        @Override
        public Done call() {
            MemorySegment data = src.store().data(t.sourceName());
            int n0 = (int) t.rowLength();
            int rowBytes = (int) type.bytesFor(n0);
            byte[] q = new byte[rows * rowBytes];
            if (fast != null) {
                long inRowBytes = t.dtype().bytesFor(n0);
                double[] err = measureError ? new double[2 * rows] : null;
                fast.quantize(t.dtype(), data, first * inRowBytes, inRowBytes, type, q, n0, rows, err);
                double errSq = 0, refSq = 0;
                for (int i = 0; measureError && i < rows; i++) {
                    errSq += err[2 * i];
                    refSq += err[2 * i + 1];
                }
                // A NaN or an infinity among the inputs always makes their sum of squares non-finite; a
                // finite input makes it infinite only past 1e19 (the kernels' float lanes), and then the
                // chunk is merely counted for nothing.
                long[] bad = countNonFinite && !(measureError && Double.isFinite(refSq))
                        ? NonFiniteScan.count(t.dtype(), data, first * n0, (first + rows) * n0) : new long[2];
                return new Done(q, (long) rows * n0, errSq, refSq, bad[0], bad[1]);
            }
            MemorySegment qs = MemorySegment.ofArray(q);
            float[][] b = BUFFERS.get();
            if (b[0].length < n0) b[0] = new float[n0];
            if (b[1].length < n0) b[1] = new float[n0];
            float[] x = b[0];
            double[] es = new double[2];
            double errSq = 0, refSq = 0;
            long nan = 0, inf = 0;
            for (int i = 0; i < rows; i++) {
                Dequantizer.dequantizeRows(t.dtype(), data, n0, first + i, 1, x, 0);
                for (int k = 0; countNonFinite && k < n0; k++) {
                    if (Float.isNaN(x[k])) nan++;
                    else if (Float.isInfinite(x[k])) inf++;
                }
                if (type.isQuantized()) Quantizer.quantize(type, x, 0, n0, qs, (long) i * rowBytes);
                else encodeFloats(x, n0, type, qs, (long) i * rowBytes);
                if (!measureError) continue;
                if (!Quantizer.rowError(type, q, i * rowBytes, x, 0, n0, es)) {
                    Dequantizer.dequantize(type, qs, (long) i * rowBytes, b[1], 0, n0);
                    Quantizer.dequantizedError(b[1], x, 0, n0, es);
                }
                errSq += es[0];
                refSq += es[1];
            }
            return new Done(q, (long) rows * n0, errSq, refSq, nan, inf);
        }
    }

    private static void encodeFloats(float[] x, int n, DType type, MemorySegment dst, long off) {
        for (int k = 0; k < n; k++) {
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
