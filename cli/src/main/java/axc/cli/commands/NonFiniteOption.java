package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.HfCheckpoint;
import axc.formats.tensor.NonFiniteScan;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --refuse-nonfinite}, and the scan behind it, for the commands that read a checkpoint's weights
 * (convert, quantize, compile): every tensor holding NaN or infinite values is reported on stderr; with
 * the option the command exits 3 instead, naming the first one, and writes nothing. convert and compile
 * scan before the work starts; quantize counts during its pass ({@link #reporter}).
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
            // The scan needs the tensors, not the vocabulary (most of a GGUF's parse).
            try (GgufFile g = GgufFile.openTensorsOnly(in)) {
                found = NonFiniteScan.scan(g);
            }
        } else {
            return;
        }
        if (found.isEmpty()) return;
        NonFiniteScan.Finding first = found.getFirst();
        if (refuse) throw refusal(in, first, found.size() > 1 ? " (and " + (found.size() - 1) + " more tensors)" : "");
        for (NonFiniteScan.Finding f : found) warn(ui, in, f);
    }

    /**
     * For a command that counts non-finite values as it works (quantize): what to do with each tensor
     * found holding some, warn or refuse. A refusal names the first such tensor in the order of work.
     */
    Consumer<NonFiniteScan.Finding> reporter(Ui ui, Path in) {
        return f -> {
            if (refuse) throw refusal(in, f, "");
            warn(ui, in, f);
        };
    }

    private static InvalidInputException refusal(Path in, NonFiniteScan.Finding f, String more) {
        return InvalidInputException.of(in, "tensor " + f.tensor() + " holds " + describe(f) + more + "; refused (--refuse-nonfinite)");
    }

    /** Reported even with --quiet: a warning about the data is not progress. */
    private static void warn(Ui ui, Path in, NonFiniteScan.Finding f) {
        ui.err().println("axc: warning: " + in + ": tensor " + f.tensor() + " holds " + describe(f));
        ui.err().flush();
    }

    private static String describe(NonFiniteScan.Finding f) {
        return f.nan() + " NaN and " + f.inf() + " infinite of " + f.values() + " values";
    }
}
