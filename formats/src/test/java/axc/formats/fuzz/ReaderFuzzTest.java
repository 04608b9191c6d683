package axc.formats.fuzz;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.gguf.GgufFile;
import axc.formats.safetensors.SafetensorsFile;
import axc.formats.tokenizer.Tokenizer;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the readers of untrusted files (Jazzer): GGUF, safetensors, tokenizer.json. Any bytes must either open or be refused
 * with {@link InvalidInputException}; anything else (an OutOfMemoryError, an index out of bounds, an
 * arithmetic overflow, a hang) is a finding. Without JAZZER_FUZZ these run the committed seeds and
 * every finding kept as a regression input (src/test/resources/.../ReaderFuzzTestInputs/METHOD/);
 * the build's fuzz execution runs each with JAZZER_FUZZ=1 for a bounded time.
 */
class ReaderFuzzTest {
    @FuzzTest(maxDuration = "45s")
    void gguf(byte[] data) throws IOException {
        Path f = write(data, ".gguf");
        try (GgufFile g = GgufFile.open(f)) {
            g.tensors().forEach(t -> g.data(t.name()));
        } catch (InvalidInputException | UnsupportedFeatureException expected) {
            // refused with a reason: the contract
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "45s")
    void safetensors(byte[] data) throws IOException {
        Path f = write(data, ".safetensors");
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            s.tensors().forEach(t -> s.data(t.name()));
        } catch (InvalidInputException | UnsupportedFeatureException expected) {
            // refused with a reason: the contract
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** A Hugging Face tokenizer.json: loaded, then used, since some structure is only checked on use. */
    @FuzzTest(maxDuration = "45s")
    void tokenizerJson(byte[] data) throws IOException {
        Path dir = Files.createTempDirectory("axc-fuzz-tok");
        Path f = dir.resolve("tokenizer.json");
        Files.write(f, data);
        try {
            Tokenizer t = Tokenizer.load(dir);
            t.decode(t.encode("hello world <|endoftext|> 123"));
        } catch (InvalidInputException | UnsupportedFeatureException expected) {
            // refused with a reason: the contract
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    private static Path write(byte[] data, String suffix) {
        try {
            Path f = Files.createTempFile("axc-fuzz", suffix);
            Files.write(f, data);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
