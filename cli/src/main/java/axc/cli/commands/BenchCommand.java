package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "bench", description = "Measure prefill and decode speed and memory.")
public final class BenchCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "MODEL")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc bench (benchmarks)");
    }
}
