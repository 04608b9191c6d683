package axc.cli;

import axc.bundle.Bundle;
import axc.bundle.Manifest;
import axc.bundle.VerificationCache;
import axc.examples.ExampleModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `axc validate --verify-only`: every byte hashed against the manifest; a tampered entry is exit 3 naming it, and so is loading it. */
class VerifyOnlyTest {
    @Test
    void aTamperedWeightIsFoundAndNamedAndTheArtifactIsRefused(@TempDir Path dir) throws IOException {
        Path model = ExampleModels.extractTinyPy(dir.resolve("axc-tiny-py"));
        Path artifact = dir.resolve("tiny.axc");
        CliHarness c = CliHarness.run("-q", "compile", model.toString(), "--target", "reference", "-o", artifact.toString());
        assertEquals(0, c.code(), c.err());

        CliHarness ok = CliHarness.run("validate", "--verify-only", artifact.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("entries match the sha256"), ok.out());

        // Flip one byte in the middle of the largest weight entry: the structure stays valid, only its hash changes.
        Manifest.Entry victim;
        try (Bundle b = Bundle.open(artifact, VerificationCache.none())) {
            victim = b.manifest().entries().stream().filter(e -> e.name().startsWith("weights/"))
                    .max(java.util.Comparator.comparingLong(Manifest.Entry::size)).orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(artifact.toFile(), "rw")) {
            long at = victim.offset() + victim.size() / 2;
            f.seek(at);
            int old = f.read();
            f.seek(at);
            f.write(old ^ 0x40);
        }

        CliHarness bad = CliHarness.run("validate", "--verify-only", artifact.toString());
        assertEquals(ExitCodes.INVALID_INPUT, bad.code(), bad.out() + bad.err());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());
        assertTrue(bad.err().contains(artifact.getFileName().toString()) && bad.err().contains(victim.name()) && bad.err().contains("corrupt"), bad.err());

        // Loading verifies too (the cached verdict is keyed by size, mtime and inode, which the write changed).
        CliHarness run = CliHarness.run("run", artifact.toString(), "--prompt", "Hello", "--max-tokens", "2");
        assertEquals(ExitCodes.INVALID_INPUT, run.code(), run.out() + run.err());
        assertTrue(run.err().contains(victim.name()), run.err());

        CliHarness notArtifact = CliHarness.run("validate", "--verify-only", model.toString());
        assertEquals(ExitCodes.INVALID_INPUT, notArtifact.code(), notArtifact.err());
    }
}
