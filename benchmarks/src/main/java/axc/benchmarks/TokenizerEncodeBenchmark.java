package axc.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import axc.formats.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Encode throughput of axc's {@link Tokenizer} against Hugging Face tokenizers (Rust, through DJL) on
 * the full Qwen2 vocabulary and the same {@link Corpus} text, in one JMH run. Scores are encodes of the
 * whole text per second; multiply by the corpus size that setup prints for MB/s or tokens/s.
 *
 * <p>Setup refuses to run unless both produce identical ids for the text, so the figures compare
 * equal work. {@code hf} is what a Java caller of DJL's {@code HuggingFaceTokenizer.encode} gets (ids,
 * tokens, offsets and masks all copied out of Rust); {@code hfIdsOnly} is the comparison closest to
 * the Rust library itself: DJL's native encode, then only the ids copied out.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TokenizerEncodeBenchmark {
    private String text;
    private Tokenizer axc;
    private HuggingFaceTokenizer hf;
    private Path dir;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        text = Corpus.text();
        dir = Files.createTempDirectory("axc-bench-tokenizer");
        Path hfFiles = Files.createDirectory(dir.resolve("hf-files"));
        Path json = Files.createDirectory(dir.resolve("tokenizer-json"));
        Qwen2TokenizerFiles.writeHfFiles(hfFiles);
        Path tokenizerJson = Qwen2TokenizerFiles.writeTokenizerJson(hfFiles, json);
        axc = Tokenizer.load(hfFiles);
        hf = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                "addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "100000000"));
        int[] ours = axc.encode(text);
        long[] theirs = hf.encode(text, false, false).getIds();
        if (!Arrays.equals(ours, Arrays.stream(theirs).mapToInt(Math::toIntExact).toArray())) {
            throw new IllegalStateException("axc and Hugging Face disagree on the corpus (" + ours.length + " vs " + theirs.length + " ids)");
        }
        System.out.printf("%ncorpus: %d chars, %d UTF-8 bytes, %d tokens%n", text.length(),
                text.getBytes(StandardCharsets.UTF_8).length, ours.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (hf != null) hf.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Benchmark
    public int[] axc() {
        return axc.encode(text);
    }

    @Benchmark
    public long[] hf() {
        return hf.encode(text, false, false).getIds();
    }

    @Benchmark
    public long[] hfIdsOnly() {
        long encoding = TokenizersLibrary.LIB.encode(hf.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }
}
