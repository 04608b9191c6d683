package axc.formats.tokenizer;

/**
 * BPE merges keyed by the pair of token ids they join: open addressing over primitive arrays, so a
 * lookup in the merge loop costs a multiply and a probe or two, with no boxing.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        ranks = new int[cap];
        merged = new int[cap];
        java.util.Arrays.fill(keys, EMPTY);
        mask = cap - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 40) & mask;
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    /** Adds or replaces a merge; a later line for the same pair wins, as in Hugging Face's loader. */
    void put(int left, int right, int rank, int mergedId) {
        long k = key(left, right);
        int i = slot(k);
        if (keys[i] == EMPTY) {
            if (++size > keys.length / 2) throw new IllegalStateException("merge table over capacity");
            keys[i] = k;
        }
        ranks[i] = rank;
        merged[i] = mergedId;
    }

    /** The slot of the pair's merge, or -1 where the pair does not merge. */
    int find(int left, int right) {
        int i = slot(key(left, right));
        return keys[i] == EMPTY ? -1 : i;
    }

    int rank(int slot) {
        return ranks[slot];
    }

    int merged(int slot) {
        return merged[slot];
    }

    int size() {
        return size;
    }
}
