package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "validate", description = "Compare a candidate model's outputs with a reference; exit 7 below thresholds.")
public final class ValidateCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "CANDIDATE --reference REF")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc validate (quality gate)");
    }
}
