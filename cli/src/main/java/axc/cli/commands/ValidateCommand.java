package axc.cli.commands;

import axc.bundle.Bundle;
import axc.bundle.VerificationCache;
import axc.cli.ExitCodes;
import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.runner.ArtifactLoader;
import axc.runner.GoldenCheck;
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
import java.util.Map;

@Command(name = "validate", description = "Compare a candidate model's outputs with a reference; exit 7 below thresholds.")
public final class ValidateCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "CANDIDATE", description = "The model to check.")
    Path candidate;

    @Option(names = "--reference", paramLabel = "REF", description = "The model it should agree with (omit for a .axc artifact: its golden vectors).")
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

    @Option(names = "--verify-only", description = "Only check a .axc artifact's entries against the sha256 its manifest lists (every byte, "
            + "not the cached verdict loading uses); exit 3 naming the first corrupt entry.")
    boolean verifyOnly;

    @Override
    protected int execute(Ui ui) {
        if (verifyOnly) return verifyOnly(ui);
        if (minTop1 != null && (minTop1 < 0 || minTop1 > 1)) throw new InvalidInputException("--min-top1 must be between 0 and 1");
        if (reference == null) return golden(ui);
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

    /** The artifact's structure (on open) and every entry's sha256, hashed now whatever the cache says. */
    private int verifyOnly(Ui ui) {
        if (!ArtifactLoader.looksLike(candidate)) throw new InvalidInputException("--verify-only takes a .axc artifact, not " + candidate);
        if (reference != null) throw new InvalidInputException("--verify-only compares nothing: drop --reference");
        try (Bundle b = Bundle.open(candidate, VerificationCache.none())) {
            b.verify();
            int entries = b.manifest().entries().size();
            if (ui.json()) {
                ui.printJson(Map.of("artifact", candidate.toString(), "entries", entries, "verified", true));
            } else {
                ui.out().printf("%s: %d entries match the sha256 in manifest.json%n", candidate, entries);
            }
        }
        return ok();
    }

    /** An artifact checked against the golden vectors it carries, on this machine. */
    private int golden(Ui ui) {
        if (!ArtifactLoader.looksLike(candidate)) throw new InvalidInputException("--reference is required unless CANDIDATE is a .axc artifact");
        try (LoadedModel m = ModelLoader.load(candidate)) {
            GoldenCheck.Report r = GoldenCheck.run(m, new Validation.Thresholds(maxKl, minTop1, maxNmse));
            if (ui.json()) {
                ui.printJson(r);
            } else {
                ui.out().printf("golden check of %s (%s): %d prompts, %d positions%n", r.artifact(), r.target(), r.prompts(), r.positions());
                ui.out().printf("top1 %.4f, nmse %.3g, kl_mean %.3g, kl_max %.3g%n", r.top1(), r.nmse(), r.klMean(), r.klMax());
                ui.out().println(r.passed() ? "PASSED" : "FAILED: " + String.join("; ", r.failures()));
            }
            if (!r.passed()) {
                ui.err().println("axc: validation failed: " + String.join("; ", r.failures()));
                return ExitCodes.VALIDATION_FAILED;
            }
        }
        return ok();
    }
}
