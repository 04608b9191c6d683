package axc.interp;

import java.util.HashMap;
import java.util.Map;

/**
 * The state a graph keeps across steps: for each {@code attention} slot ({@code layer} attribute), the
 * keys and values of positions 0..capacity-1, written as steps run; and the arrays the interpreter's
 * activations live in, reused from step to step. Positions must be written without
 * gaps (a step may rewrite earlier positions, e.g. to rerun a prompt after {@link #truncate}).
 */
public final class KvState {
    final int capacity;
    final Map<Integer, float[][]> slots = new HashMap<>();
    /** Per slot, positions written so far; -1 for a slot not used yet (an array: no boxing per step). */
    private int[] filled = new int[0];
    /** The activations' arrays and the step's value table, kept for the next step: a decode step allocates none. */
    private final FloatArrays arrays = new FloatArrays();
    private Tensor[] values = new Tensor[0];

    public KvState(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity " + capacity);
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Positions written so far (the smallest over the slots; 0 before the first step). */
    public int length() {
        int min = Integer.MAX_VALUE;
        for (int f : filled) if (f >= 0) min = Math.min(min, f);
        return min == Integer.MAX_VALUE ? 0 : min;
    }

    /** Forgets positions from {@code n} on. */
    public void truncate(int n) {
        for (int i = 0; i < filled.length; i++) if (filled[i] >= 0) filled[i] = Math.min(filled[i], n);
    }

    float[][] slot(int layer, int kvDim) {
        if ((long) kvDim * capacity > Integer.MAX_VALUE) throw new IllegalArgumentException("KV cache of " + capacity + " positions is too large");
        float[][] s = slots.computeIfAbsent(layer, k -> new float[][]{new float[kvDim * capacity], new float[kvDim * capacity]});
        if (s[0].length != kvDim * capacity) throw new IllegalStateException("KV cache slot " + layer + " is used with two widths");
        return s;
    }

    FloatArrays arrays() {
        return arrays;
    }

    /** A table of {@code slots} values, all null. */
    Tensor[] values(int slots) {
        if (values.length < slots) values = new Tensor[slots];
        return values;
    }

    /** Records a write at {@code pos}; positions must follow without gaps. */
    void written(int layer, int pos) {
        if (layer < 0) throw new IllegalStateException("KV cache slot " + layer);
        if (layer >= filled.length) {
            int old = filled.length;
            filled = java.util.Arrays.copyOf(filled, Math.max(layer + 1, 2 * old));
            java.util.Arrays.fill(filled, old, filled.length, -1);
        }
        int f = Math.max(0, filled[layer]);
        if (pos < 0 || pos >= capacity) throw new IllegalStateException("position " + pos + " is outside the KV cache (" + capacity + " positions)");
        if (pos > f) throw new IllegalStateException("position " + pos + " written to KV cache slot " + layer + " before position " + f);
        filled[layer] = Math.max(f, pos + 1);
    }
}
