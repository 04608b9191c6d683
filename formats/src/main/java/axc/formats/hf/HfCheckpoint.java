package axc.formats.hf;

import axc.errors.InvalidInputException;
import axc.formats.io.InputFiles;
import axc.formats.safetensors.SafetensorsFile;
import axc.formats.safetensors.ShardedSafetensors;
import axc.formats.tensor.TensorStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Hugging Face model folder: {@code config.json}, weights as one {@code model.safetensors} or shards
 * with an index, and tokenizer files. Pickle checkpoints ({@code *.bin}, {@code *.pt}) are never
 * opened: unpickling runs code, so they are refused with the command that converts them.
 */
public final class HfCheckpoint implements AutoCloseable {
    private final Path dir;
    private final ModelConfig config;
    private final TensorStore tensors;
    private final TokenizerFiles tokenizer;

    private HfCheckpoint(Path dir, ModelConfig config, TensorStore tensors, TokenizerFiles tokenizer) {
        this.dir = dir;
        this.config = config;
        this.tensors = tensors;
        this.tokenizer = tokenizer;
    }

    public static boolean looksLike(Path p) {
        // A config.json that is a link or not a regular file is still this kind of input: open() says what is wrong with it.
        return Files.isDirectory(p) && Files.exists(p.resolve("config.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public static HfCheckpoint open(Path dir) {
        if (!Files.isDirectory(dir)) throw InvalidInputException.of(dir, "not a directory");
        Path cfgFile = InputFiles.inFolder(dir, "config.json")
                .orElseThrow(() -> InvalidInputException.of(dir, "no config.json: not a Hugging Face model folder"));
        ModelConfig cfg = ModelConfig.read(cfgFile);
        TensorStore store = openTensors(dir);
        try {
            ModelConfig confirmed = FamilyDetector.confirm(cfg, store, dir);
            return new HfCheckpoint(dir, confirmed, store, TokenizerFiles.scan(dir));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    static TensorStore openTensors(Path dir) {
        Optional<Path> index = InputFiles.inFolder(dir, ShardedSafetensors.INDEX);
        if (index.isPresent()) return ShardedSafetensors.open(index.get());
        Optional<Path> single = InputFiles.inFolder(dir, "model.safetensors");
        if (single.isPresent()) return SafetensorsFile.open(single.get());
        List<Path> pickles = list(dir, PICKLE_SUFFIXES);
        if (!pickles.isEmpty()) throw pickleRefused(pickles.getFirst());
        throw InvalidInputException.of(dir, "no model.safetensors or " + ShardedSafetensors.INDEX + " found");
    }

    private static final String[] PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".ckpt"};

    /** True when {@code p} is named like a PyTorch pickle checkpoint. */
    public static boolean looksLikePickle(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return Stream.of(PICKLE_SUFFIXES).anyMatch(n::endsWith);
    }

    /** The error for a pickle checkpoint: never loaded, and how to convert it. */
    public static InvalidInputException pickleRefused(Path p) {
        return InvalidInputException.of(p, "PyTorch pickle checkpoints are never loaded (unpickling can run code); "
                + "convert it first with transformers: AutoModelForCausalLM.from_pretrained(dir).save_pretrained(out, safe_serialization=True)");
    }

    private static List<Path> list(Path dir, String... suffixes) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public TensorStore tensors() {
        return tensors;
    }

    public TokenizerFiles tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
