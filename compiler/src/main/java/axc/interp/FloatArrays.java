package axc.interp;

import java.util.Arrays;

/**
 * Float arrays by length, handed out and taken back: the interpreter gives a step's activations back
 * as their last reader runs, and the next node of the same size, or the next step, takes them again,
 * so a decode step allocates no activations once the first has run. Arrays come back with whatever
 * they last held: every kernel writes its whole output.
 *
 * <p>A decode step needs a handful of sizes; a prefill as many again for its row count. The oldest
 * size is dropped when more than {@link #SIZES} are in use, so prompts of many lengths do not pile up.
 * Not thread-safe: one per {@link KvState}.
 */
final class FloatArrays {
    static final int SIZES = 24;
    private final int[] lengths = new int[SIZES];
    private final float[][][] stacks = new float[SIZES][][];
    private final int[] counts = new int[SIZES];
    private int used;
    private int evict;

    FloatArrays() {
        Arrays.fill(lengths, -1);
    }

    /** An array of {@code length} floats: one given back earlier if there is one, else a new one. */
    float[] take(int length) {
        int i = find(length);
        if (i >= 0 && counts[i] > 0) {
            float[] a = stacks[i][--counts[i]];
            stacks[i][counts[i]] = null;
            return a;
        }
        return new float[length];
    }

    /** Takes {@code a} back for a later {@link #take} of its length; the caller must not use it again. */
    void give(float[] a) {
        int i = find(a.length);
        if (i < 0) {
            i = used < SIZES ? used++ : evict++ % SIZES;
            lengths[i] = a.length;
            stacks[i] = new float[4][];
            counts[i] = 0;
        }
        if (counts[i] == stacks[i].length) stacks[i] = Arrays.copyOf(stacks[i], counts[i] * 2);
        stacks[i][counts[i]++] = a;
    }

    private int find(int length) {
        for (int i = 0; i < used; i++) if (lengths[i] == length) return i;
        return -1;
    }
}
