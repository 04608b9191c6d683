package axc.target.cuda;

import axc.formats.dtype.DType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launch shapes against what each kernel does with its block and thread indices (mirrored from
 * axc_kernels.cuh): every output feature, row and position is covered exactly once.
 */
class LaunchShapesProperties {
    @Property
    void gemvGivesEveryFeatureOfEveryRowOneWarp(@ForAll @IntRange(min = 1, max = 200_000) int n, @ForAll @IntRange(min = 1, max = 4096) int rows) {
        LaunchShapes s = LaunchShapes.gemv(n, rows);
        int warps = s.blockX() / 32;
        assertEquals(0, s.blockX() % 32);
        assertEquals(rows, s.gridY());
        // The kernel's feature is blockIdx.x * warps + warp; those >= N return.
        assertTrue((long) s.gridX() * warps >= n, "all features reached");
        assertTrue((long) (s.gridX() - 1) * warps < n, "no block without a feature");
    }

    @Property
    void tensorCoreTilesCoverTheOutput(@ForAll @IntRange(min = 1, max = 12_000) int tiles, @ForAll @IntRange(min = 16, max = 4096) int rows) {
        int n = 16 * tiles;
        LaunchShapes s = LaunchShapes.gemmMma(n, rows);
        assertEquals(128, s.blockX(), "four warps, one 16-column tile each");
        assertTrue((long) s.gridX() * 64 >= n && (long) (s.gridX() - 1) * 64 < n);
        assertTrue((long) s.gridY() * 16 >= rows && (long) (s.gridY() - 1) * 16 < rows);
    }

    @Property
    void tensorCoresOnlyForFullTilesOfSixteenBitWeights(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll @IntRange(min = 1, max = 64) int rows) {
        for (DType d : KernelPlan.FORMATS) {
            boolean mma = LaunchShapes.useMma(d, n, 896, rows);
            assertEquals((d == DType.F16 || d == DType.BF16) && rows >= 16 && n % 16 == 0, mma, d + " n=" + n + " rows=" + rows);
        }
        assertFalse(LaunchShapes.useMma(DType.F16, 64, 40, 32), "K must be whole 16-wide steps");
    }

    @Property
    void attentionSplitsCoverEveryPositionUpToTheRowsOwn(@ForAll @IntRange(min = 0, max = 100_000) int maxPosition,
                                                         @ForAll @IntRange(min = 0, max = 100_000) int position) {
        int splits = LaunchShapes.attentionSplits(maxPosition);
        int chunk = KernelSpec.ATTENTION_CHUNK;
        // Pass 1's split z covers [z*chunk, (z+1)*chunk); the last split reaches maxPosition, no split starts past it.
        assertTrue((long) splits * chunk > maxPosition);
        assertTrue((long) (splits - 1) * chunk <= maxPosition);
        // Pass 2 merges splits 0..pos/chunk: for a row at or below the maximum, all were run.
        if (position <= maxPosition) assertTrue(position / chunk + 1 <= splits);
    }

    @Property
    void elementwiseLaunchesStayBounded(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int n) {
        LaunchShapes s = LaunchShapes.elementwise(n);
        assertTrue(s.gridX() >= 1 && s.gridX() <= LaunchShapes.MAX_ELEMENTWISE_BLOCKS);
        assertTrue((long) s.gridX() * s.blockX() >= Math.min(n, (long) LaunchShapes.MAX_ELEMENTWISE_BLOCKS * 256), "grid-stride loops cover the rest");
    }
}
