package axc.bundle;

import axc.errors.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationCacheTest {
    @TempDir
    Path dir;

    private Bundle.Verification verify(Path axc, VerificationCache cache) {
        try (Bundle b = Bundle.open(axc, cache)) {
            return b.verify();
        }
    }

    @Test
    void aSecondOpenOfAnUnchangedArtifactSkipsHashing() {
        Path axc = dir.resolve("m.axc");
        Fixtures.writerWith(Fixtures.sample()).finish(axc);
        Path file = dir.resolve("cache/verified");
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(file)));
        assertTrue(Files.isRegularFile(file));
        assertEquals(Bundle.Verification.CACHED, verify(axc, VerificationCache.at(file)), "another process reads the file");
        VerificationCache one = VerificationCache.at(file);
        assertEquals(Bundle.Verification.CACHED, verify(axc, one));
        assertEquals(Bundle.Verification.CACHED, verify(axc, one), "and remembers it in memory");
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.none()));
    }

    @Test
    void aChangedArtifactIsHashedAgain() throws IOException {
        Path axc = dir.resolve("m.axc");
        Manifest m = Fixtures.writerWith(Fixtures.sample()).finish(axc);
        Path file = dir.resolve("verified");
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(file)));

        Files.setLastModifiedTime(axc, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(file)), "touched");

        Fixtures.writerWith(Fixtures.sample()).finish(axc);
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(file)), "rewritten: a new inode");

        byte[] bytes = Files.readAllBytes(axc);
        Manifest.Entry t = m.entry("tokenizer.json").orElseThrow();
        bytes[(int) t.offset()] ^= 0x40;
        Files.write(axc, bytes);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> verify(axc, VerificationCache.at(file)));
        assertTrue(e.getMessage().contains("entry 'tokenizer.json' is corrupt"), e.getMessage());
    }

    @Test
    void aDamagedCacheFileIsIgnored() throws IOException {
        Path axc = dir.resolve("m.axc");
        Fixtures.writerWith(Fixtures.sample()).finish(axc);
        Path file = dir.resolve("verified");
        Files.write(file, new byte[] {(byte) 0xff, 0, '\n', 'x', '\t'});
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(file)));
        Files.writeString(file, "garbage\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(Bundle.Verification.HASHED, verify(axc, VerificationCache.at(Files.createDirectory(dir.resolve("not-a-file")))));
    }

    @Test
    void theCacheFileStaysSmall() throws IOException {
        Path file = dir.resolve("verified");
        VerificationCache c = VerificationCache.at(file);
        String pad = "p".repeat(200);
        for (int i = 0; i < 3000; i++) c.add("v1\tkey" + i + "\t" + pad);
        assertTrue(Files.size(file) <= VerificationCache.MAX_BYTES + 300, "size " + Files.size(file));
        assertTrue(VerificationCache.at(file).contains("v1\tkey2999\t" + pad), "the newest keys are kept");
    }
}
