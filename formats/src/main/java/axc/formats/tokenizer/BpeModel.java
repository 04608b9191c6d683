package axc.formats.tokenizer;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE over one pre-tokenized piece: start from one token per UTF-8 byte and repeatedly
 * apply the lowest-ranked merge among adjacent pairs, the leftmost one on ties. That is exactly the
 * order Hugging Face's priority queue applies merges in, so ids agree even for merge files whose ranks
 * are not consistent with how their tokens were built.
 */
final class BpeModel {
    /** Pieces up to this many bytes merge by rescanning; longer ones use a heap. */
    private static final int SCAN_LIMIT = 48;
    private static final int CACHE_LIMIT = 50_000;
    private static final int CACHE_MAX_KEY = 256;

    private final Map<String, Integer> vocab;
    private final int[] byteIds;
    private final MergeTable merges;
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param byteIds      the token of each single byte
     * @param ignoreMerges take a piece found whole in the vocabulary as one token (Llama-3 style)
     */
    BpeModel(Map<String, Integer> vocab, int[] byteIds, MergeTable merges, boolean ignoreMerges) {
        this.vocab = vocab;
        this.byteIds = byteIds;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
    }

    int mergeCount() {
        return merges.size();
    }

    /** Appends the tokens of one piece of text. */
    void encode(String piece, IntBuffer out) {
        boolean cacheable = piece.length() <= CACHE_MAX_KEY;
        if (cacheable) {
            int[] hit = cache.get(piece);
            if (hit != null) {
                out.addAll(hit);
                return;
            }
        }
        byte[] utf8 = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] ids = null;
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(utf8));
            if (whole != null) ids = new int[] {whole};
        }
        if (ids == null) {
            int[] symbols = new int[utf8.length];
            for (int i = 0; i < utf8.length; i++) symbols[i] = byteIds[utf8[i] & 0xFF];
            ids = symbols.length <= SCAN_LIMIT ? mergeByScan(symbols) : mergeByHeap(symbols);
        }
        if (cacheable) {
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    /** Quadratic but allocation-free; beats a heap for the short pieces that make up most text. */
    private int[] mergeByScan(int[] s) {
        int n = s.length;
        while (n > 1) {
            int bestRank = Integer.MAX_VALUE, bestPos = -1, bestId = 0;
            for (int i = 0; i + 1 < n; i++) {
                int slot = merges.find(s[i], s[i + 1]);
                if (slot >= 0 && merges.rank(slot) < bestRank) {
                    bestRank = merges.rank(slot);
                    bestPos = i;
                    bestId = merges.merged(slot);
                }
            }
            if (bestPos < 0) break;
            s[bestPos] = bestId;
            System.arraycopy(s, bestPos + 2, s, bestPos + 1, n - bestPos - 2);
            n--;
        }
        return n == s.length ? s : Arrays.copyOf(s, n);
    }

    /**
     * Symbols in a linked list, candidate merges in a min-heap of (rank, left position). An entry is
     * stale once either side has been merged away or the pair at its position changed; it is then
     * skipped, as Hugging Face's implementation does.
     */
    private int[] mergeByHeap(int[] sym) {
        int n = sym.length;
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) push(heap, sym, i, i + 1);
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (dead[pos] || next[pos] < 0) continue;
            int right = next[pos];
            int slot = merges.find(sym[pos], sym[right]);
            if (slot < 0 || merges.rank(slot) != rank) continue;
            sym[pos] = merges.merged(slot);
            dead[right] = true;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) push(heap, sym, prev[pos], pos);
            if (next[pos] >= 0) push(heap, sym, pos, next[pos]);
        }
        IntBuffer out = new IntBuffer(n);
        for (int i = 0; i >= 0; i = next[i]) out.add(sym[i]);
        return out.toArray();
    }

    private void push(LongHeap heap, int[] sym, int left, int right) {
        int slot = merges.find(sym[left], sym[right]);
        if (slot >= 0) heap.add(((long) merges.rank(slot) << 32) | left);
    }

    /** Min-heap of longs; (rank, position) packed so that ordering longs orders by rank, then position. */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) break;
                if (c + 1 < size && a[c + 1] < a[c]) c++;
                if (a[c] >= last) break;
                a[i] = a[c];
                i = c;
            }
            a[i] = last;
            return top;
        }
    }
}
