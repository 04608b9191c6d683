package axc.cli;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint with a NaN and an infinity planted in one weight: reported by convert and quantize; refused by them and compile with --refuse-nonfinite. */
class NonFiniteWeightsTest {
    private static final String TENSOR = "model.layers.0.mlp.down_proj.weight";

    @Test
    void nonFiniteWeightsAreReportedOrRefused(@TempDir Path dir) throws IOException {
        Path clean = dir.resolve("clean"), bad = dir.resolve("bad");
        CheckpointGenerator.write(ModelSpec.preset("tiny"), clean);
        CheckpointGenerator.write(ModelSpec.preset("tiny"), bad);
        plant(bad.resolve("model.safetensors"));

        CliHarness ok = CliHarness.run("-q", "convert", clean.toString(), "-o", dir.resolve("clean.gguf").toString());
        assertEquals(0, ok.code(), ok.err());
        assertFalse(ok.err().contains("warning"), ok.err());

        CliHarness warned = CliHarness.run("-q", "convert", bad.toString(), "-o", dir.resolve("bad.gguf").toString());
        assertEquals(0, warned.code(), warned.err());
        assertTrue(warned.err().contains("warning") && warned.err().contains(TENSOR) && warned.err().contains("1 NaN and 1 infinite"), warned.err());
        // quantize counts during its pass instead of scanning first: the same report, and the file is written.
        Path q8 = dir.resolve("bad-q8.gguf");
        CliHarness quantized = CliHarness.run("-q", "quantize", bad.toString(), "-o", q8.toString(), "--preset", "q8_0");
        assertEquals(0, quantized.code(), quantized.err());
        assertEquals(1, quantized.err().strip().lines().count(), quantized.err());
        assertTrue(quantized.err().contains("warning") && quantized.err().contains(TENSOR) && quantized.err().contains("1 NaN and 1 infinite"), quantized.err());
        assertTrue(Files.exists(q8));

        for (String[] cmd : new String[][]{
                {"convert", bad.toString(), "-o", dir.resolve("r.gguf").toString()},
                {"quantize", bad.toString(), "-o", dir.resolve("r-q8.gguf").toString(), "--preset", "q8_0"},
                {"compile", bad.toString(), "--target", "reference", "-o", dir.resolve("r.axc").toString()}}) {
            String[] args = new String[cmd.length + 2];
            args[0] = "-q";
            System.arraycopy(cmd, 0, args, 1, cmd.length);
            args[args.length - 1] = "--refuse-nonfinite";
            CliHarness refused = CliHarness.run(args);
            assertEquals(ExitCodes.INVALID_INPUT, refused.code(), cmd[0] + ": " + refused.err());
            assertEquals(1, refused.err().strip().lines().count(), cmd[0] + ": one line: " + refused.err());
            assertTrue(refused.err().contains(TENSOR) && refused.err().contains("--refuse-nonfinite"), refused.err());
            assertFalse(Files.exists(Path.of(cmd[java.util.Arrays.asList(cmd).indexOf("-o") + 1])), cmd[0] + ": nothing written");
        }
    }

    /** Overwrites the first two BF16 values of {@link #TENSOR} with NaN and +inf. */
    private static void plant(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] len = new byte[8];
            f.readFully(len);
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] header = new byte[(int) n];
            f.readFully(header);
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            assertEquals("BF16", json.get(TENSOR).get("dtype").asText());
            long at = 8 + n + json.get(TENSOR).get("data_offsets").get(0).asLong();
            f.seek(at);
            f.write(new byte[]{(byte) 0xC0, 0x7F, (byte) 0x80, 0x7F});
        }
    }
}
