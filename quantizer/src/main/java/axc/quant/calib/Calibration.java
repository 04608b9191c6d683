package axc.quant.calib;

import axc.errors.InvalidInputException;
import axc.formats.io.Sha256;
import axc.formats.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The calibration set: a text (the user's {@code --calib FILE} or the built-in mix of prose, code and
 * several languages), tokenized and cut into sequences of {@code seqLen} tokens, at most
 * {@code maxTokens} in all. Its sha256 is recorded in every file quantized with it.
 */
public record Calibration(List<int[]> sequences, String sha256, String source) {

    public static Calibration of(Path file, Tokenizer tok, int maxTokens, int seqLen) {
        String text;
        String source;
        if (file == null) {
            try (InputStream in = Calibration.class.getResourceAsStream("/axc/quant/calibration.txt")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException | NullPointerException e) {
                throw new IllegalStateException("missing built-in calibration text", e);
            }
            source = "built-in";
        } else {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                throw InvalidInputException.of(file, "file not found");
            } catch (IOException e) {
                throw InvalidInputException.of(file, "cannot read calibration text: " + e.getMessage());
            }
            source = file.toString();
        }
        int[] ids = tok.encode(text);
        if (ids.length < 2) throw new InvalidInputException((file == null ? "built-in calibration text" : file.toString()) + ": too short to calibrate on");
        List<int[]> seqs = new ArrayList<>();
        int n = Math.min(ids.length, maxTokens);
        for (int off = 0; off < n; off += seqLen) {
            int len = Math.min(seqLen, n - off);
            if (len < 2) break;
            int[] s = new int[len];
            System.arraycopy(ids, off, s, 0, len);
            seqs.add(s);
        }
        return new Calibration(List.copyOf(seqs), Sha256.of(text.getBytes(StandardCharsets.UTF_8)), source);
    }

    public int tokens() {
        return sequences.stream().mapToInt(s -> s.length).sum();
    }
}
