package axc.runner;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    final float[] logits = {0.1f, 2.0f, 1.9f, -3f, 0.5f};

    @Test
    void greedyPicksTheArgmax() {
        assertEquals(1, Sampler.greedy().sample(logits));
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(1, new Sampler(1.0, 1, 1.0, seed).sample(logits));
            assertEquals(1, new Sampler(1.0, 0, 1e-6, seed).sample(logits));
        }
    }

    @Test
    void sameSeedSameDrawsAndTopKLimitsTheSupport() {
        Sampler a = new Sampler(1.0, 2, 1.0, 42);
        Sampler b = new Sampler(1.0, 2, 1.0, 42);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int x = a.sample(logits);
            assertEquals(x, b.sample(logits));
            seen.add(x);
        }
        assertEquals(Set.of(1, 2), seen);
    }

    @Test
    void highTemperatureReachesEveryToken() {
        Sampler s = new Sampler(100.0, 0, 1.0, 7);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) seen.add(s.sample(logits));
        assertTrue(seen.size() == logits.length, seen.toString());
    }
}
