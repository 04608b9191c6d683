package axc.target.npu;

import java.util.List;

/**
 * A {@code decode_b1} program's place in the chain of decode programs. A decode step runs the npu
 * nodes' programs in graph order, every step the same; each program, once its own weights are
 * loaded, has NDMA_IN load the next program's first weight chunk into a scratchpad region of its
 * own, so DRAM keeps streaming through the program's drain (its last GEMM, dequantization and write)
 * and the next program's GEMMs start at once (NPU.md B3: "NDMA_IN runs ahead across op and layer
 * boundaries"). Without it each of a 0.5B model's 97 programs filled and drained on its own, 16% of
 * a decode step.
 *
 * <p>Two regions at the top of every engine's scratchpad, {@link #region}(0) and (1), alternate: the
 * program at position i of the chain streams its even chunks through region i % 2 and prefetches into
 * the other one. Each program comes in two variants: <em>cold</em> loads its own first chunk; <em>warm</em>
 * finds it in place and skips that load. The runtime runs the warm one only when the program run just
 * before on the same simulator was its predecessor in the chain (whose prefetch put the chunk there);
 * after anything else (a prefill, the first step) the cold one. With an odd number of programs the
 * chain does not wrap: the last program prefetches nothing and the first always runs cold.
 *
 * @param even     scratchpad offset of the region this program's even chunks go through
 * @param warm     whether the first chunk is already there (the warm variant)
 * @param next     the program after this one in the chain, or null
 * @param nextRegion scratchpad offset of the region the next program's first chunk goes to
 */
record DecodeChain(long even, boolean warm, NpuMatmul next, long nextRegion) {
    /** Bytes of one region: the largest first chunk of any node, 64-byte aligned. */
    static long regionBytes(List<NpuMatmul> nodes) {
        long b = 0;
        for (NpuMatmul m : nodes) b = Math.max(b, m.blobBytes(m.chunk));
        return (b + 63) & ~63L;
    }

    /** Offset of region {@code i} (0 or 1) in a scratchpad of {@code spmBytes}. */
    static long region(int i, long spmBytes, long regionBytes) {
        return spmBytes - (2 - i) * regionBytes;
    }

    /** Whether every node's decode layout (without its own even buffer) fits below the two regions. */
    static boolean fits(List<NpuMatmul> nodes, long spmBytes) {
        long r = regionBytes(nodes);
        for (NpuMatmul m : nodes) if (m.spmLayout(1, false).end() > region(0, spmBytes, r)) return false;
        return !nodes.isEmpty();
    }

    /** The chain position {@code i} of {@code nodes}; the last one's next is the first when the count is even. */
    static DecodeChain at(List<NpuMatmul> nodes, int i, boolean warm, long spmBytes) {
        long r = regionBytes(nodes);
        int n = nodes.size();
        NpuMatmul next = i + 1 < n ? nodes.get(i + 1) : n % 2 == 0 ? nodes.getFirst() : null;
        return new DecodeChain(region(i % 2, spmBytes, r), warm, next, region((i + 1) % 2, spmBytes, r));
    }

    /** The chain position whose prefetch feeds position {@code i}, or -1 (the first of an odd chain). */
    static int previous(int i, int n) {
        if (i > 0) return i - 1;
        return n % 2 == 0 ? n - 1 : -1;
    }
}
