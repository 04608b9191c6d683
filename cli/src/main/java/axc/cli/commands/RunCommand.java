package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "run", description = "Generate text from a model or artifact.")
public final class RunCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "MODEL --prompt TEXT")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc run (reference forward pass and runner)");
    }
}
