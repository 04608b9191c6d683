package axc.runner;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy at temperature 0, otherwise temperature, then top-k, then
 * top-p (nucleus), drawn from a seeded generator so a run is reproducible.
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    public Sampler(double temperature, int topK, double topP, long seed) {
        if (temperature < 0) throw new axc.errors.InvalidInputException("--temperature must be >= 0");
        if (topP <= 0 || topP > 1) throw new axc.errors.InvalidInputException("--top-p must be in (0, 1]");
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0, 0, 1, 0);
    }

    public int sample(float[] logits) {
        if (temperature == 0) return argmax(logits);
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int k = topK > 0 ? Math.min(topK, n) : n;
        double max = logits[order[0]];
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        double cum = 0;
        int keep = k;
        for (int i = 0; i < k; i++) {
            cum += p[i] / sum;
            if (cum >= topP) {
                keep = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < keep; i++) total += p[i];
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= p[i];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }

    public static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }
}
