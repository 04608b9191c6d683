package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.runner.Benchmark;
import axc.runner.LoadedModel;
import axc.runner.ModelLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "bench", description = "Measure prefill and decode speed and memory.")
public final class BenchCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Hugging Face folder or a .gguf file.")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "512", description = "Prompt length for the prefill test (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "128", description = "Tokens for the decode test (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--repeat", defaultValue = "3", description = "Repetitions; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    protected int execute(Ui ui) {
        if (promptTokens < 0 || genTokens < 0 || promptTokens + genTokens == 0) throw new InvalidInputException("--prompt-tokens/--gen-tokens must be >= 0 and not both 0");
        if (repeat < 1) throw new InvalidInputException("--repeat must be at least 1");
        try (LoadedModel m = ModelLoader.load(model)) {
            ui.info("benchmarking " + model + " (" + m.model().backend() + "): pp" + promptTokens + ", tg" + genTokens + ", " + repeat + " runs");
            Benchmark.Report r = Benchmark.run(m, promptTokens, genTokens, repeat, ui.threads());
            if (ui.json()) ui.printJson(r);
            else ui.out().print(Benchmark.markdown(r));
        }
        return ok();
    }
}
