package axc.runner;

import axc.errors.InvalidInputException;
import axc.model.LanguageModel;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares a candidate model's logits with a reference's on the same token ids: per-position NMSE,
 * cosine, top-1 agreement and KL(reference || candidate), plus the perplexity each assigns to a text.
 * This is the quality gate release jobs run; its JSON field names are a documented, stable schema.
 */
public final class Validation {
    private Validation() {
    }

    /** Thresholds; a null one is not checked. */
    public record Thresholds(Double maxKl, Double minTop1, Double maxNmse) {
    }

    public record Report(
            @JsonProperty("candidate") String candidate,
            @JsonProperty("reference") String reference,
            @JsonProperty("prompts") int prompts,
            @JsonProperty("positions") int positions,
            @JsonProperty("top1") double top1,
            @JsonProperty("kl_mean") double klMean,
            @JsonProperty("kl_max") double klMax,
            @JsonProperty("nmse") double nmse,
            @JsonProperty("cosine_mean") double cosineMean,
            @JsonProperty("ppl_candidate") Double pplCandidate,
            @JsonProperty("ppl_reference") Double pplReference,
            @JsonProperty("ppl_tokens") int pplTokens,
            @JsonProperty("thresholds") Thresholds thresholds,
            @JsonProperty("failures") List<String> failures,
            @JsonProperty("passed") boolean passed) {
    }

    /** Running sums over positions. */
    static final class Acc {
        int positions;
        int agree;
        double klSum;
        double klMax;
        double errSq;
        double refSq;
        double cosSum;

        void add(float[] ref, float[] cand) {
            if (ref.length != cand.length) {
                throw new InvalidInputException("the models' vocabularies differ: " + ref.length + " vs " + cand.length + " logits");
            }
            positions++;
            if (Sampler.argmax(ref) == Sampler.argmax(cand)) agree++;
            double kl = kl(ref, cand);
            klSum += kl;
            klMax = Math.max(klMax, kl);
            double dot = 0, nc = 0, nr = 0;
            for (int i = 0; i < ref.length; i++) {
                double d = cand[i] - ref[i];
                errSq += d * d;
                refSq += (double) ref[i] * ref[i];
                dot += (double) ref[i] * cand[i];
                nc += (double) cand[i] * cand[i];
                nr += (double) ref[i] * ref[i];
            }
            cosSum += dot / Math.sqrt(Math.max(nc * nr, 1e-300));
        }
    }

    public static Report run(LoadedModel candidate, LoadedModel reference, List<int[]> prompts, int[] text, Thresholds th) {
        Acc acc = new Acc();
        for (int[] ids : prompts) {
            if (ids.length == 0) continue;
            float[][] r = reference.model().newSession(ids.length).prefill(ids);
            float[][] c = candidate.model().newSession(ids.length).prefill(ids);
            for (int i = 0; i < ids.length; i++) acc.add(r[i], c[i]);
        }
        if (acc.positions == 0) throw new InvalidInputException("no prompt tokens to validate on");
        Double pplC = null, pplR = null;
        int pplTokens = 0;
        if (text != null && text.length > 1) {
            pplR = perplexity(reference.model(), text);
            pplC = perplexity(candidate.model(), text);
            pplTokens = text.length - 1;
        }
        double top1 = acc.agree / (double) acc.positions;
        double klMean = acc.klSum / acc.positions;
        double nmse = acc.errSq / Math.max(acc.refSq, 1e-300);
        List<String> failures = new ArrayList<>();
        if (th.maxKl() != null && klMean > th.maxKl()) failures.add(String.format("kl_mean %.6g > --max-kl %.6g", klMean, th.maxKl()));
        if (th.minTop1() != null && top1 < th.minTop1()) failures.add(String.format("top1 %.4f < --min-top1 %.4f", top1, th.minTop1()));
        if (th.maxNmse() != null && nmse > th.maxNmse()) failures.add(String.format("nmse %.6g > --max-nmse %.6g", nmse, th.maxNmse()));
        return new Report(candidate.source().toString(), reference.source().toString(), prompts.size(), acc.positions, top1, klMean, acc.klMax,
                nmse, acc.cosSum / acc.positions, pplC, pplR, pplTokens, th, failures, failures.isEmpty());
    }

    /** KL(P_ref || P_cand) of the softmaxes, in nats, computed in double with max-subtraction. */
    static double kl(float[] ref, float[] cand) {
        double[] lr = logSoftmax(ref);
        double[] lc = logSoftmax(cand);
        double kl = 0;
        for (int i = 0; i < lr.length; i++) {
            double p = Math.exp(lr[i]);
            if (p > 0) kl += p * (lr[i] - lc[i]);
        }
        return Math.max(0, kl);
    }

    static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) max = Math.max(max, v);
        double sum = 0;
        for (float v : x) sum += Math.exp(v - max);
        double lse = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] - lse;
        return out;
    }

    /** exp(mean negative log-likelihood of each next token) over the text. */
    public static double perplexity(LanguageModel m, int[] tokens) {
        float[][] logits = m.newSession(tokens.length).prefill(tokens);
        double nll = 0;
        for (int i = 0; i + 1 < tokens.length; i++) nll -= logSoftmax(logits[i])[tokens[i + 1]];
        return Math.exp(nll / (tokens.length - 1));
    }
}
