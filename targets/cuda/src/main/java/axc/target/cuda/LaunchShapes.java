package axc.target.cuda;

import axc.formats.dtype.DType;

/**
 * Grid and block sizes of every kernel, as functions of the step's row count: the host-side half of
 * each template's contract in {@code axc_kernels.cuh}, tested on the CPU ({@code LaunchShapesTest}).
 */
record LaunchShapes(int gridX, int gridY, int gridZ, int blockX) {
    /** Warps per GEMV block: one output feature each. */
    static final int GEMV_WARPS = 8;
    /** Elementwise kernels stride over the data; more blocks than this only queue. */
    static final int MAX_ELEMENTWISE_BLOCKS = 1024;

    LaunchShapes {
        if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockX > 1024) {
            throw new IllegalArgumentException("bad launch " + gridX + "x" + gridY + "x" + gridZ + " / " + blockX);
        }
        if (gridY > 65535 || gridZ > 65535) throw new IllegalArgumentException("grid y/z past 65535: " + gridY + ", " + gridZ);
    }

    static LaunchShapes gemv(int n, int rows) {
        return new LaunchShapes(ceil(n, GEMV_WARPS), rows, 1, 32 * GEMV_WARPS);
    }

    /** Tensor cores pay off from a full 16-row tile; their tiles need N and K in 16s. */
    static boolean useMma(DType w, int n, int k, int rows) {
        return (w == DType.F16 || w == DType.BF16) && rows >= 16 && n % 16 == 0 && k % 16 == 0;
    }

    static LaunchShapes gemmMma(int n, int rows) {
        return new LaunchShapes(ceil(n, 64), ceil(rows, 16), 1, 128);
    }

    static LaunchShapes perRow(int rows) {
        return new LaunchShapes(rows, 1, 1, 256);
    }

    static LaunchShapes rmsNorm(int rows, int groups) {
        return new LaunchShapes(rows, groups, 1, 256);
    }

    /** Splits of pass 1 that cover positions {@code 0..maxPosition}. */
    static int attentionSplits(int maxPosition) {
        return maxPosition / KernelSpec.ATTENTION_CHUNK + 1;
    }

    static LaunchShapes attentionSplit(int heads, int rows, int splits) {
        return new LaunchShapes(heads, rows, splits, 128);
    }

    static LaunchShapes attentionMerge(int heads, int rows, int headDim) {
        return new LaunchShapes(heads, rows, 1, headDim);
    }

    static LaunchShapes elementwise(long n) {
        return new LaunchShapes((int) Math.max(1, Math.min(MAX_ELEMENTWISE_BLOCKS, (n + 255) / 256)), 1, 1, 256);
    }

    static int ceil(long a, int b) {
        return Math.toIntExact((a + b - 1) / b);
    }
}
