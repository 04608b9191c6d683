package axc.runner;

import axc.bundle.Bundle;
import axc.compile.Golden;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code axc validate model.axc} with no reference: runs the artifact's golden prompts on this machine
 * and compares with the logits recorded at compile time.
 */
public final class GoldenCheck {
    private GoldenCheck() {
    }

    public record Report(@JsonProperty("artifact") String artifact, @JsonProperty("target") String target,
                         @JsonProperty("prompts") int prompts, @JsonProperty("positions") int positions,
                         @JsonProperty("top1") double top1, @JsonProperty("nmse") double nmse,
                         @JsonProperty("kl_mean") double klMean, @JsonProperty("kl_max") double klMax,
                         @JsonProperty("failures") List<String> failures, @JsonProperty("passed") boolean passed) {
    }

    public static Report run(LoadedModel m, Validation.Thresholds th) {
        Golden g;
        double defaultNmse = 1e-4, defaultTop1 = 0.99;
        try (Bundle b = Bundle.open(m.source())) {
            g = Golden.parse(b.bytes(Golden.PROMPTS), b.bytes(Golden.LOGITS), m.source());
            // A target whose numerics differ from the float reference by design (W8A8) records how far.
            if (b.contains(Golden.TOLERANCE)) {
                com.fasterxml.jackson.databind.JsonNode t = axc.formats.json.Json.parse(b.bytes(Golden.TOLERANCE), m.source() + " (" + Golden.TOLERANCE + ")");
                defaultNmse = t.path("max_nmse").asDouble(defaultNmse);
                defaultTop1 = t.path("min_top1").asDouble(defaultTop1);
            }
        }
        int positions = 0, agree = 0;
        Validation.Acc acc = new Validation.Acc();
        for (int i = 0; i < g.prompts().size(); i++) {
            int[] ids = g.prompts().get(i);
            float[][] l = m.model().newSession(ids.length).prefill(ids);
            for (int p = 0; p < ids.length; p++) {
                positions++;
                if (Sampler.argmax(l[p]) == g.argmax().get(i)[p]) agree++;
            }
            acc.add(g.lastLogits().get(i), l[l.length - 1]);
        }
        double top1 = agree / (double) positions;
        double nmse = acc.errSq / Math.max(acc.refSq, 1e-300);
        double klMean = acc.klSum / acc.positions;
        double maxNmse = th.maxNmse() == null ? defaultNmse : th.maxNmse();
        double minTop1 = th.minTop1() == null ? defaultTop1 : th.minTop1();
        List<String> failures = new ArrayList<>();
        if (nmse > maxNmse) failures.add(String.format("nmse %.3g > %.3g", nmse, maxNmse));
        if (top1 < minTop1) failures.add(String.format("top1 %.4f < %.4f", top1, minTop1));
        if (th.maxKl() != null && klMean > th.maxKl()) failures.add(String.format("kl_mean %.3g > %.3g", klMean, th.maxKl()));
        return new Report(m.source().toString(), m.format(), g.prompts().size(), positions, top1, nmse, klMean, acc.klMax, failures, failures.isEmpty());
    }
}
