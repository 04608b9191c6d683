package axc.partition;

/**
 * What crosses between the two targets of a partitioned graph: how many values are handed from one
 * target to the other, and their bytes (float32 and int32 host tensors, 4 bytes an element). A value
 * counts once per step for each target that receives it, however many of that target's segments read
 * it, as a runtime that keeps received values would move it. In {@link Partition} the figures are per
 * step and per token (the token axis counted as 1); in {@link PartitionedModel} they are totals.
 */
public record Boundary(long values, long bytes) {
    public static final Boundary NONE = new Boundary(0, 0);

    public Boundary plus(long moreValues, long moreBytes) {
        return new Boundary(values + moreValues, bytes + moreBytes);
    }
}
