package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "compile", description = "Compile a model for a target into a .axc artifact.")
public final class CompileCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "MODEL --target T -o model.axc")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc compile (graph compiler and targets)");
    }
}
