package axc.bundle;

import axc.errors.InvalidInputException;
import axc.errors.UnsupportedFeatureException;
import axc.ir.text.AxirParser;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing (Jazzer) of the artifact reader: the tar structure and manifest checks of
 * {@link Bundle#open}, the graph text an artifact carries, and {@link Bundle#verify}. Any bytes must
 * open or be refused with {@link InvalidInputException} (or {@link UnsupportedFeatureException});
 * anything else is a finding. The graph is parsed before the hashes are checked, unlike a real load,
 * so that the fuzzer reaches the parser without forging sha256s. The seed is a small graph artifact
 * (one add); the build's fuzz-artifact execution fuzzes with JAZZER_FUZZ=1 for a bounded time.
 */
class ArtifactFuzzTest {
    @FuzzTest(maxDuration = "45s")
    void artifact(byte[] data) throws IOException {
        Path f = Files.createTempFile("axc-fuzz", ".axc");
        Files.write(f, data);
        try (Bundle b = Bundle.open(f, VerificationCache.none())) {
            if (b.contains("graph.axir")) AxirParser.parse(new String(b.bytes("graph.axir"), StandardCharsets.UTF_8));
            b.verify();
        } catch (InvalidInputException | UnsupportedFeatureException expected) {
            // refused with a reason: the contract
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
