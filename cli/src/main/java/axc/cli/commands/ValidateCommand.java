package axc.cli.commands;

import axc.cli.ExitCodes;
import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.runner.LoadedModel;
import axc.runner.ModelLoader;
import axc.runner.Prompts;
import axc.runner.Validation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

@Command(name = "validate", description = "Compare a candidate model's outputs with a reference; exit 7 below thresholds.")
public final class ValidateCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "CANDIDATE", description = "The model to check.")
    Path candidate;

    @Option(names = "--reference", required = true, paramLabel = "REF", description = "The model it should agree with.")
    Path reference;

    @Option(names = "--prompts", paramLabel = "FILE", description = "Prompts: a JSON array of strings or one per line (default: built-in set).")
    Path prompts;

    @Option(names = "--text", paramLabel = "FILE", description = "Text to measure perplexity on (default: built-in text).")
    Path text;

    @Option(names = "--ppl-tokens", defaultValue = "256", description = "Tokens of the text used for perplexity (default: ${DEFAULT-VALUE}; 0 skips it).")
    int pplTokens;

    @Option(names = "--max-kl", paramLabel = "X", description = "Fail when the mean KL(reference || candidate) exceeds X nats.")
    Double maxKl;

    @Option(names = "--min-top1", paramLabel = "Y", description = "Fail when top-1 agreement is below Y (0..1).")
    Double minTop1;

    @Option(names = "--max-nmse", paramLabel = "Z", description = "Fail when the logits' normalised MSE exceeds Z.")
    Double maxNmse;

    @Override
    protected int execute(Ui ui) {
        if (minTop1 != null && (minTop1 < 0 || minTop1 > 1)) throw new InvalidInputException("--min-top1 must be between 0 and 1");
        try (LoadedModel cand = ModelLoader.load(candidate); LoadedModel ref = ModelLoader.load(reference)) {
            var tok = ref.hasTokenizer() ? ref.tokenizer() : cand.requireTokenizer();
            List<int[]> ids = new ArrayList<>();
            for (String p : prompts == null ? Prompts.builtIn() : Prompts.read(prompts)) ids.add(tok.encode(p));
            int[] pplIds = null;
            if (pplTokens > 0) {
                int[] all = tok.encode(text == null ? Prompts.builtInText() : Prompts.readText(text));
                pplIds = Arrays.copyOf(all, Math.min(all.length, pplTokens));
            }
            ui.info("validating " + candidate + " against " + reference + " on " + ids.size() + " prompts");
            Validation.Report r = Validation.run(cand, ref, ids, pplIds, new Validation.Thresholds(maxKl, minTop1, maxNmse));
            if (ui.json()) {
                ui.printJson(r);
            } else {
                var o = ui.out();
                o.printf("positions     %d (%d prompts)%n", r.positions(), r.prompts());
                o.printf("top1          %.4f%n", r.top1());
                o.printf("kl_mean       %.6g nats%n", r.klMean());
                o.printf("kl_max        %.6g nats%n", r.klMax());
                o.printf("nmse          %.6g%n", r.nmse());
                o.printf("cosine_mean   %.6f%n", r.cosineMean());
                if (r.pplReference() != null) o.printf("perplexity    candidate %.4f, reference %.4f (%d tokens)%n", r.pplCandidate(), r.pplReference(), r.pplTokens());
                o.println(r.passed() ? "PASSED" : "FAILED: " + String.join("; ", r.failures()));
            }
            if (!r.passed()) {
                ui.err().println("axc: validation failed: " + String.join("; ", r.failures()));
                return ExitCodes.VALIDATION_FAILED;
            }
        }
        return ok();
    }
}
