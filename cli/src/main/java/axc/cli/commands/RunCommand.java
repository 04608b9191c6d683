package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.formats.tokenizer.ChatMessage;
import axc.formats.tokenizer.ChatTemplate;
import axc.runner.Generation;
import axc.runner.LoadedModel;
import axc.runner.ModelLoader;
import axc.runner.Prompts;
import axc.runner.Sampler;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "run", description = "Generate text from a model (Hugging Face folder or GGUF).")
public final class RunCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Hugging Face folder, a .gguf file or a .axc artifact.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Raw prompt text (no chat formatting).")
        String prompt;

        @Option(names = "--chat", paramLabel = "TEXT", description = "A user message, formatted with the model's chat template.")
        String chat;

        @Option(names = "--prompt-file", paramLabel = "F", description = "Raw prompt text from a file.")
        Path promptFile;

        @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "Token ids, comma-separated (for models without a tokenizer).")
        int[] promptIds;
    }

    @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the K most likely tokens; 0 keeps all.")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--system", paramLabel = "TEXT", description = "System message for --chat.")
    String system;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Write the simulated device's timeline (Chrome trace JSON, opens in Perfetto) to FILE; npu artifacts only.")
    Path trace;

    @Override
    protected int execute(Ui ui) {
        if (maxTokens < 1) throw new InvalidInputException("--max-tokens must be at least 1");
        try (LoadedModel m = ModelLoader.load(model, Trace.options(ui, trace))) {
            Trace.check(m, model, trace);
            int[] ids = promptIds(m);
            Sampler sampler = new Sampler(temperature, topK, topP, seed);
            Generation.Result r = Generation.run(m, ids, maxTokens, sampler, piece -> {
                if (!ui.json()) {
                    ui.out().print(piece);
                    ui.out().flush();
                }
            });
            if (ui.json()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("model", model.toString());
                j.put("prompt_ids", r.promptIds());
                j.put("generated_ids", r.generatedIds());
                j.put("text", r.text());
                j.put("stop_reason", r.stopReason());
                j.put("prefill_tokens_per_s", r.prefillTokensPerSecond());
                j.put("decode_tokens_per_s", r.decodeTokensPerSecond());
                ui.printJson(j);
            } else {
                if (!m.hasTokenizer()) ui.out().print(Arrays.toString(r.generatedIds()));
                ui.out().println();
                ui.info(String.format("%d prompt tokens at %.1f tok/s, %d generated at %.2f tok/s (%s, stop: %s)", r.promptIds().length,
                        r.prefillTokensPerSecond(), r.generatedIds().length, r.decodeTokensPerSecond(), m.model().backend(), r.stopReason()));
            }
        }
        return ok();
    }

    private int[] promptIds(LoadedModel m) {
        if (input.promptIds != null) return input.promptIds;
        String text;
        if (input.chat != null) {
            ChatTemplate t = ChatTemplate.of(m.requireTokenizer());
            List<ChatMessage> msgs = system == null ? List.of(ChatMessage.user(input.chat)) : List.of(ChatMessage.system(system), ChatMessage.user(input.chat));
            text = t.render(msgs, true);
        } else if (input.promptFile != null) {
            text = Prompts.readText(input.promptFile);
        } else {
            text = input.prompt;
        }
        return m.requireTokenizer().encode(text);
    }
}
