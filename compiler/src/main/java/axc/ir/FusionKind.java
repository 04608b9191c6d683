package axc.ir;

/**
 * How an op combines with its neighbours when a fusion pass groups ops into kernels, from the most to
 * the least fusable. The declaration order is the order of fusability (a group takes the kind of its
 * least fusable member); it is never written to a file.
 */
public enum FusionKind {
    /** Output element i depends only on input element i of every input of the same shape. */
    ELEMENTWISE,
    /** Elementwise after broadcasting a smaller input (a bias or a per-channel vector) along leading axes. */
    BROADCAST,
    /** Each output element is a function of one or a few input elements at computed indices (gather, slice, rotation). */
    INJECTIVE,
    /** Reduces along an axis (norms, softmax): elementwise producers fuse in, consumers start a new loop. */
    REDUCE,
    /** A heavy op (matmul) whose output can absorb elementwise consumers as an epilogue. */
    OUT_ELEMENTWISE_FUSABLE,
    /** Never fused: graph inputs, weights, attention with its KV cache state. */
    OPAQUE;

    /** The text spelling ({@code out_elementwise_fusable}). */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
