package axc.examples;

import axc.formats.dtype.DType;
import axc.formats.hf.Family;

import java.util.List;
import java.util.Locale;

/**
 * The shape and storage of a generated checkpoint. Presets cover fast tests ({@code tiny}), quick
 * experiments ({@code small}) and benchmarks at real sizes ({@code qwen2.5-0.5b-shape},
 * {@code qwen2.5-1.5b-shape}).
 */
public record ModelSpec(
        Family family,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int intermediate,
        int vocab,
        boolean tied,
        DType dtype,
        int shards,
        long seed) {

    /** The real Qwen2 tokenizer has 151665 tokens; Qwen2.5's small models pad the vocabulary to this. */
    public static final int QWEN_VOCAB = 151936;

    /** Qwen2.5-7B's padded vocabulary. */
    public static final int QWEN_7B_VOCAB = 152064;

    public static final List<String> PRESETS = List.of("tiny", "small", "qwen2.5-0.5b-shape", "qwen2.5-1.5b-shape", "qwen2.5-7b-shape");

    public static ModelSpec preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new ModelSpec(Family.QWEN2, 64, 2, 4, 2, 16, 128, QWEN_VOCAB, true, DType.BF16, 1, 42);
            case "small" -> new ModelSpec(Family.QWEN2, 256, 4, 8, 2, 32, 768, QWEN_VOCAB, true, DType.BF16, 1, 42);
            case "qwen2.5-0.5b-shape" -> new ModelSpec(Family.QWEN2, 896, 24, 14, 2, 64, 4864, QWEN_VOCAB, true, DType.BF16, 1, 42);
            case "qwen2.5-1.5b-shape" -> new ModelSpec(Family.QWEN2, 1536, 28, 12, 2, 128, 8960, QWEN_VOCAB, true, DType.BF16, 1, 42);
            // 7.6 B parameters, 15 GB in BF16: the CUDA target's large benchmark model (untied head, 4 shards).
            case "qwen2.5-7b-shape" -> new ModelSpec(Family.QWEN2, 3584, 28, 28, 4, 128, 18944, QWEN_7B_VOCAB, false, DType.BF16, 4, 42);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + String.join(", ", PRESETS) + ")");
        };
    }

    public ModelSpec withFamily(Family f) {
        return new ModelSpec(f, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, tied, dtype, shards, seed);
    }

    public ModelSpec withDtype(DType d) {
        return new ModelSpec(family, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, tied, d, shards, seed);
    }

    public ModelSpec withTied(boolean t) {
        return new ModelSpec(family, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, t, dtype, shards, seed);
    }

    public ModelSpec withShards(int n) {
        return new ModelSpec(family, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, tied, dtype, n, seed);
    }

    public ModelSpec withSeed(long s) {
        return new ModelSpec(family, hidden, layers, heads, kvHeads, headDim, intermediate, vocab, tied, dtype, shards, s);
    }

    public ModelSpec withLayers(int n) {
        return new ModelSpec(family, hidden, n, heads, kvHeads, headDim, intermediate, vocab, tied, dtype, shards, seed);
    }
}
