package axc.interp;

import java.util.HashMap;
import java.util.Map;

/**
 * The state a graph keeps across steps: for each {@code attention} slot ({@code layer} attribute), the
 * keys and values of positions 0..capacity-1, written as steps run. Positions must be written without
 * gaps (a step may rewrite earlier positions, e.g. to rerun a prompt after {@link #truncate}).
 */
public final class KvState {
    final int capacity;
    final Map<Integer, float[][]> slots = new HashMap<>();
    private final Map<Integer, Integer> filled = new HashMap<>();

    public KvState(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity " + capacity);
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Positions written so far (the smallest over the slots; 0 before the first step). */
    public int length() {
        return filled.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    /** Forgets positions from {@code n} on. */
    public void truncate(int n) {
        filled.replaceAll((k, v) -> Math.min(v, n));
    }

    float[][] slot(int layer, int kvDim) {
        if ((long) kvDim * capacity > Integer.MAX_VALUE) throw new IllegalArgumentException("KV cache of " + capacity + " positions is too large");
        float[][] s = slots.computeIfAbsent(layer, k -> new float[][]{new float[kvDim * capacity], new float[kvDim * capacity]});
        if (s[0].length != kvDim * capacity) throw new IllegalStateException("KV cache slot " + layer + " is used with two widths");
        return s;
    }

    /** Records a write at {@code pos}; positions must follow without gaps. */
    void written(int layer, int pos) {
        int f = filled.getOrDefault(layer, 0);
        if (pos < 0 || pos >= capacity) throw new IllegalStateException("position " + pos + " is outside the KV cache (" + capacity + " positions)");
        if (pos > f) throw new IllegalStateException("position " + pos + " written to KV cache slot " + layer + " before position " + f);
        filled.put(layer, Math.max(f, pos + 1));
    }
}
