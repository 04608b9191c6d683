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
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Hugging Face folder, a .gguf file or a .axc artifact.")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "512", description = "Prompt length for the prefill test (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "128", description = "Tokens for the decode test (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--probe-mib", defaultValue = "1024", paramLabel = "MiB",
            description = "Memory read to measure bandwidth before the run, for the decode roofline; 0 skips it (default: ${DEFAULT-VALUE}).")
    long probeMib;

    @Option(names = "--repeat", defaultValue = "3", description = "Repetitions; medians are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write the simulated device's timeline (Chrome trace JSON, opens in Perfetto) to FILE; npu artifacts only.")
    Path trace;

    @Override
    protected int execute(Ui ui) {
        if (promptTokens < 0 || genTokens < 0 || promptTokens + genTokens == 0) throw new InvalidInputException("--prompt-tokens/--gen-tokens must be >= 0 and not both 0");
        if (repeat < 1) throw new InvalidInputException("--repeat must be at least 1");
        if (probeMib < 0 || probeMib > (1 << 20)) throw new InvalidInputException("--probe-mib must be between 0 and 1048576");
        try (LoadedModel m = ModelLoader.load(model, Trace.options(ui, trace))) {
            Trace.check(m, model, trace);
            ui.info("benchmarking " + model + " (" + m.model().backend() + "): pp" + promptTokens + ", tg" + genTokens + ", " + repeat + " runs");
            Benchmark.Report r = Benchmark.run(m, promptTokens, genTokens, repeat, ui.threads(), probeMib << 20);
            if (ui.json()) ui.printJson(r);
            else ui.out().print(Benchmark.markdown(r));
        }
        return ok();
    }
}
