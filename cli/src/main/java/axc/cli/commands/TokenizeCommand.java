package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "tokenize", description = "Show the token ids a model's tokenizer gives a text.")
public final class TokenizeCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "MODEL --text TEXT")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc tokenize (byte-level BPE tokenizer)");
    }
}
