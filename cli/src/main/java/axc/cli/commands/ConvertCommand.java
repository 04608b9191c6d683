package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.UnsupportedFeatureException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "convert", description = "Convert a checkpoint: Hugging Face <-> GGUF, re-cast, re-shard.")
public final class ConvertCommand extends AxcCommand {
    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "IN -o OUT [--to gguf|safetensors] [--dtype f32|f16|bf16]")
    List<String> args;

    /** Options of the full command are accepted (and ignored) so scripts fail with the exit code 4 below. */
    @picocli.CommandLine.Unmatched
    List<String> options;

    @Override
    protected int execute(Ui ui) {
        throw UnsupportedFeatureException.notYet("axc convert (checkpoint conversion)");
    }
}
