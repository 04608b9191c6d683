package axc.reference;

/** Keys and values of every layer for positions 0..length-1, sized once for {@code capacity} tokens. */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    final int kvDim;
    final int capacity;
    int length;

    public KvCache(int layers, int kvDim, int capacity) {
        if ((long) kvDim * capacity > Integer.MAX_VALUE) throw new IllegalArgumentException("KV cache of " + capacity + " positions is too large");
        this.keys = new float[layers][kvDim * capacity];
        this.values = new float[layers][kvDim * capacity];
        this.kvDim = kvDim;
        this.capacity = capacity;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets positions from {@code n} on (e.g. to rerun a prompt). */
    public void truncate(int n) {
        length = Math.min(length, n);
    }
}
