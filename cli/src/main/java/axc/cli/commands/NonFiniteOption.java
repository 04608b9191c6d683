package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.HfCheckpoint;
import axc.formats.tensor.NonFiniteScan;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code --refuse-nonfinite}, and the scan behind it, for the commands that read a checkpoint's weights
 * (convert, quantize, compile): every tensor holding NaN or infinite values is reported on stderr
 * before the work starts; with the option the command exits 3 instead, naming the first one.
 */
public final class NonFiniteOption {
    @Option(names = "--refuse-nonfinite", description = "Exit 3 when a weight is NaN or infinite (default: report each such tensor and go on).")
    boolean refuse;

    /** Scans {@code in} (a Hugging Face folder or a GGUF file; anything else is left to the command to judge). */
    void check(Ui ui, Path in) {
        List<NonFiniteScan.Finding> found;
        if (HfCheckpoint.looksLike(in)) {
            try (HfCheckpoint ck = HfCheckpoint.open(in)) {
                found = NonFiniteScan.scan(ck.tensors());
            }
        } else if (GgufFile.looksLike(in)) {
            // The command opens the file in full alongside: the scan needs its tensors, not its vocabulary.
            try (GgufFile g = GgufFile.openTensorsOnly(in)) {
                found = NonFiniteScan.scan(g);
            }
        } else {
            return;
        }
        if (found.isEmpty()) return;
        NonFiniteScan.Finding first = found.getFirst();
        if (refuse) {
            throw InvalidInputException.of(in, "tensor " + first.tensor() + " holds " + describe(first)
                    + (found.size() > 1 ? " (and " + (found.size() - 1) + " more tensors)" : "") + "; refused (--refuse-nonfinite)");
        }
        // Reported even with --quiet: a warning about the data is not progress.
        for (NonFiniteScan.Finding f : found) ui.err().println("axc: warning: " + in + ": tensor " + f.tensor() + " holds " + describe(f));
        ui.err().flush();
    }

    private static String describe(NonFiniteScan.Finding f) {
        return f.nan() + " NaN and " + f.inf() + " infinite of " + f.values() + " values";
    }
}
