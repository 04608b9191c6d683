package axc.examples;

import axc.formats.dtype.DType;
import axc.formats.dtype.FloatCodec;
import axc.formats.hf.Family;
import axc.formats.hf.HfNames;
import axc.formats.io.AtomicOutput;
import axc.formats.io.SegmentIo;
import axc.formats.json.Json;
import axc.formats.safetensors.SafetensorsWriter;
import axc.formats.safetensors.SafetensorsWriter.Entry;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face-layout Qwen2 or Qwen3 checkpoint of any shape from a seed: config files, the
 * real Qwen2 tokenizer files, and weights streamed tensor by tensor (so a 1.5B shape needs no more heap
 * than a tiny one).
 *
 * <p>The weights are not plain noise: a few hidden channels (chosen by the seed) carry large values in
 * the embeddings and norm weights, so activations have the outlier channels real LLMs have and that
 * quantization methods such as SmoothQuant and AWQ exist for. Each tensor's values depend only on the
 * seed and its name, so checkpoints are reproducible byte for byte.
 */
public final class CheckpointGenerator {
    private static final String TOKENIZER_RESOURCES = "/axc/examples/qwen2-tokenizer/";
    private static final int CHUNK = 1 << 18;

    private CheckpointGenerator() {
    }

    /** Writes the checkpoint into {@code dir} atomically (a complete folder or none). */
    public static void write(ModelSpec spec, Path dir) {
        AtomicOutput.writeDirectory(dir, tmp -> writeInto(spec, tmp));
    }

    static void writeInto(ModelSpec s, Path dir) throws IOException {
        BitSet outliers = outlierChannels(s);
        List<Entry> entries = entries(s, outliers);
        Files.writeString(dir.resolve("config.json"), configJson(s));
        Files.writeString(dir.resolve("generation_config.json"), generationConfigJson());
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer_config.json")) {
            try (InputStream in = CheckpointGenerator.class.getResourceAsStream(TOKENIZER_RESOURCES + f)) {
                if (in == null) throw new IllegalStateException("missing resource " + f);
                Files.copy(in, dir.resolve(f));
            }
        }
        Map<String, String> meta = Map.of("format", "pt");
        if (s.shards() <= 1) {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, meta);
            return;
        }
        List<List<Entry>> parts = split(entries, s.shards());
        ObjectNode index = Json.MAPPER.createObjectNode();
        long total = entries.stream().mapToLong(Entry::byteSize).sum();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < parts.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, parts.size());
            SafetensorsWriter.write(dir.resolve(name), parts.get(i), meta);
            for (Entry e : parts.get(i)) map.put(e.name(), name);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(index));
    }

    private static List<List<Entry>> split(List<Entry> entries, int n) {
        long total = entries.stream().mapToLong(Entry::byteSize).sum();
        long per = (total + n - 1) / n;
        List<List<Entry>> parts = new ArrayList<>();
        List<Entry> cur = new ArrayList<>();
        long size = 0;
        for (Entry e : entries) {
            if (!cur.isEmpty() && size + e.byteSize() > per && parts.size() < n - 1) {
                parts.add(cur);
                cur = new ArrayList<>();
                size = 0;
            }
            cur.add(e);
            size += e.byteSize();
        }
        parts.add(cur);
        return parts;
    }

    /** About one channel in 128 (at least two) carries outliers. */
    static BitSet outlierChannels(ModelSpec s) {
        SplittableRandom r = new SplittableRandom(s.seed() ^ 0x5eedL);
        BitSet set = new BitSet(s.hidden());
        int n = Math.max(2, s.hidden() / 128);
        while (set.cardinality() < n) set.set(r.nextInt(s.hidden()));
        return set;
    }

    static List<Entry> entries(ModelSpec s, BitSet outliers) {
        Map<String, Entry> m = new LinkedHashMap<>();
        int h = s.hidden();
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        // Embedding rows of std ~3/sqrt(h) give logits with a clear top token through a tied head.
        add(m, s, HfNames.EMBED, new long[]{s.vocab(), h}, Init.embedding(3.0 / Math.sqrt(h), outliers, 8.0));
        add(m, s, HfNames.FINAL_NORM, new long[]{h}, Init.norm(outliers, 1.0));
        if (!s.tied()) add(m, s, HfNames.LM_HEAD, new long[]{s.vocab(), h}, Init.matrix(1.0 / Math.sqrt(h)));
        for (int l = 0; l < s.layers(); l++) {
            add(m, s, HfNames.attnNorm(l), new long[]{h}, Init.norm(outliers, 6.0));
            add(m, s, HfNames.ffnNorm(l), new long[]{h}, Init.norm(outliers, 6.0));
            add(m, s, HfNames.q(l), new long[]{q, h}, Init.matrix(1.0 / Math.sqrt(h)));
            add(m, s, HfNames.k(l), new long[]{kv, h}, Init.matrix(1.0 / Math.sqrt(h)));
            add(m, s, HfNames.v(l), new long[]{kv, h}, Init.matrix(1.0 / Math.sqrt(h)));
            add(m, s, HfNames.o(l), new long[]{h, q}, Init.matrix(0.5 / Math.sqrt(q)));
            add(m, s, HfNames.gate(l), new long[]{s.intermediate(), h}, Init.matrix(1.0 / Math.sqrt(h)));
            add(m, s, HfNames.up(l), new long[]{s.intermediate(), h}, Init.matrix(1.0 / Math.sqrt(h)));
            add(m, s, HfNames.down(l), new long[]{h, s.intermediate()}, Init.matrix(0.5 / Math.sqrt(s.intermediate())));
            if (s.family() == Family.QWEN2) {
                add(m, s, HfNames.qBias(l), new long[]{q}, Init.matrix(0.1));
                add(m, s, HfNames.kBias(l), new long[]{kv}, Init.matrix(0.1));
                add(m, s, HfNames.vBias(l), new long[]{kv}, Init.matrix(0.1));
            } else {
                add(m, s, HfNames.qNorm(l), new long[]{s.headDim()}, Init.norm(new BitSet(), 1.0));
                add(m, s, HfNames.kNorm(l), new long[]{s.headDim()}, Init.norm(new BitSet(), 1.0));
            }
        }
        // Sorted by name, as the Hugging Face writer orders its header.
        return m.values().stream().sorted(java.util.Comparator.comparing(Entry::name)).toList();
    }

    private static void add(Map<String, Entry> m, ModelSpec s, String name, long[] shape, Init init) {
        long seed = s.seed() * 0x9E3779B97F4A7C15L + name.hashCode();
        m.put(name, new Entry(name, s.dtype(), shape, out -> stream(out, s.dtype(), shape, init, seed)));
    }

    private static void stream(WritableByteChannel out, DType dtype, long[] shape, Init init, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) n *= d;
        int cols = (int) shape[shape.length - 1];
        int width = dtype == DType.F32 ? 4 : 2;
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            float v = init.value(r, (int) (i % cols));
            switch (dtype) {
                case F32 -> buf.putFloat(v);
                case F16 -> buf.putShort(FloatCodec.floatToF16(v));
                case BF16 -> buf.putShort(FloatCodec.floatToBf16(v));
                default -> throw new IllegalArgumentException("generator writes F32, F16 or BF16, not " + dtype);
            }
            if (!buf.hasRemaining()) {
                buf.flip();
                SegmentIo.write(out, buf);
                buf.clear();
            }
        }
        buf.flip();
        SegmentIo.write(out, buf);
    }

    /** How one tensor's values are drawn: from the random stream and the column index. */
    @FunctionalInterface
    interface Init {
        float value(SplittableRandom r, int col);

        static Init matrix(double std) {
            return (r, c) -> (float) (r.nextGaussian() * std);
        }

        static Init embedding(double std, BitSet outliers, double boost) {
            return (r, c) -> (float) (r.nextGaussian() * std * (outliers.get(c) ? boost : 1.0));
        }

        /** RMSNorm weights near 1, with {@code boost} on the outlier channels. */
        static Init norm(BitSet outliers, double boost) {
            return (r, c) -> (float) ((1.0 + 0.1 * r.nextGaussian()) * (outliers.get(c) ? boost : 1.0));
        }
    }

    static String configJson(ModelSpec s) throws IOException {
        ObjectNode c = Json.MAPPER.createObjectNode();
        ArrayNode a = c.putArray("architectures");
        a.add(s.family().hfArchitecture());
        c.put("attention_dropout", 0.0);
        if (s.family() == Family.QWEN3) {
            c.put("attention_bias", false);
            c.put("head_dim", s.headDim());
        }
        c.put("bos_token_id", 151643);
        c.put("eos_token_id", 151645);
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.hidden());
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", s.intermediate());
        c.put("max_position_embeddings", 32768);
        c.put("max_window_layers", s.layers());
        c.put("model_type", s.family().ggufArch());
        c.put("num_attention_heads", s.heads());
        c.put("num_hidden_layers", s.layers());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("rms_norm_eps", 1e-6);
        c.putNull("rope_scaling");
        c.put("rope_theta", 1000000.0);
        c.putNull("sliding_window");
        c.put("tie_word_embeddings", s.tied());
        c.put("torch_dtype", switch (s.dtype()) {
            case F32 -> "float32";
            case F16 -> "float16";
            default -> "bfloat16";
        });
        c.put("use_cache", true);
        c.put("use_sliding_window", false);
        c.put("vocab_size", s.vocab());
        if (s.family() == Family.QWEN2 && s.headDim() * s.heads() != s.hidden()) {
            throw new IllegalArgumentException("Qwen2 needs heads * head_dim == hidden");
        }
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(c) + "\n";
    }

    static String generationConfigJson() {
        return """
                {
                  "bos_token_id": 151643,
                  "do_sample": false,
                  "eos_token_id": [
                    151645,
                    151643
                  ],
                  "pad_token_id": 151643
                }
                """;
    }

}
