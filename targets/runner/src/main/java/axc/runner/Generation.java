package axc.runner;

import axc.formats.tokenizer.StreamingDecoder;
import axc.model.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Generates a continuation, streaming complete UTF-8 text as tokens arrive. */
public final class Generation {
    private Generation() {
    }

    public record Result(int[] promptIds, int[] generatedIds, String text, String stopReason, double prefillSeconds, double decodeSeconds) {
        public double decodeTokensPerSecond() {
            return decodeSeconds <= 0 ? 0 : generatedIds.length / decodeSeconds;
        }

        public double prefillTokensPerSecond() {
            return prefillSeconds <= 0 ? 0 : promptIds.length / prefillSeconds;
        }
    }

    public static Result run(LoadedModel m, int[] prompt, int maxTokens, Sampler sampler, Consumer<String> sink) {
        if (prompt.length == 0) throw new axc.errors.InvalidInputException("the prompt is empty");
        LanguageModel.Session s = m.model().newSession(prompt.length + maxTokens);
        long t0 = System.nanoTime();
        float[] last = s.prefillLast(prompt);
        long t1 = System.nanoTime();
        StreamingDecoder dec = m.hasTokenizer() ? m.tokenizer().streamingDecoder() : null;
        StringBuilder text = new StringBuilder();
        List<Integer> out = new ArrayList<>();
        String reason = "max_tokens";
        for (int i = 0; i < maxTokens; i++) {
            int id = sampler.sample(last);
            if (m.stopIds().contains(id)) {
                reason = "eos";
                break;
            }
            out.add(id);
            if (dec != null) {
                String piece = dec.next(id);
                if (!piece.isEmpty()) {
                    text.append(piece);
                    sink.accept(piece);
                }
            }
            if (i + 1 < maxTokens) last = s.next(id);
        }
        if (dec != null) {
            String rest = dec.finish();
            if (!rest.isEmpty()) {
                text.append(rest);
                sink.accept(rest);
            }
        }
        long t2 = System.nanoTime();
        return new Result(prompt, out.stream().mapToInt(Integer::intValue).toArray(), text.toString(), reason, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
