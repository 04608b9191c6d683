package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "quantize", description = "Quantize a checkpoint to INT8/INT4 (RTN, AWQ, GPTQ, SmoothQuant).")
public final class QuantizeCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "IN -o OUT --preset P | --recipe FILE")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc quantize (weight quantization)");
    }
}
