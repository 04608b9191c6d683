package axc.target.cpu;

import axc.reference.GptqMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A 4-bit grouped matrix in GPTQ's packed layout (axc's int4 schemes: RTN, AWQ and GPTQ without
 * act-order) on the native kernels ({@code axc_cpu_int4.h}), read in place: bands of 16 outputs over
 * the {@link RowPool}. Each (group, output) pair's scale and scale times zero-point are taken to
 * float32 once, at load; the codes stay where the artifact maps them.
 */
final class CpuInt4Matrix extends NativeProductMatrix {
    private final GptqMatrix reference;
    private final MemorySegment qweight;
    private final MemorySegment scales;
    private final MemorySegment scaledZeros;
    private final int group;

    CpuInt4Matrix(GptqMatrix reference, RowPool pool, NativeScratch scratch) {
        // Work in bands of 16 outputs, 8 bytes of codes per input row: 64 KiB to 1 MiB of codes per
        // chunk, and at least four bands, which a one-row product reads together (axc_g4_band64_avx512).
        int rows = reference.rows(), cols = reference.cols();
        long bandBytes = 8L * cols;
        int bands = (rows + 15) / 16;
        int minBands = (int) Math.max(Math.min(4, bands), Math.min(bands, 64 * 1024 / bandBytes));
        super(rows, cols, pool, scratch, bands, minBands, (int) Math.max(minBands, 1024 * 1024 / bandBytes));
        if (!reference.sequentialGroups()) throw new IllegalArgumentException("act-ordered groups have no native kernel");
        this.reference = reference;
        this.qweight = reference.qweight();
        if (!qweight.isNative()) throw new IllegalArgumentException("int4 codes must be in native memory");
        this.group = reference.groupSize();
        int groups = cols / group;
        this.scales = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, (long) groups * rows);
        this.scaledZeros = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, (long) groups * rows);
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < rows; j++) {
                float s = reference.scale(g, j);
                scales.setAtIndex(ValueLayout.JAVA_FLOAT, (long) g * rows + j, s);
                scaledZeros.setAtIndex(ValueLayout.JAVA_FLOAT, (long) g * rows + j, s * reference.zero(g, j));
            }
        }
    }

    @Override
    public void row(int r, float[] dst) {
        reference.row(r, dst);
    }

    /** Bands of 16 outputs {@code [from, to)}. */
    @Override
    protected void compute(int from, int to, int worker) {
        int rc = NativeKernels.axc_cpu_matmul_g4(qweight.address(), scales.address(), scaledZeros.address(), cols, rows, group,
                xAddress, n, yAddress, rows, 0, 16 * from, Math.min(rows, 16 * to));
        if (rc != 0) throw new IllegalStateException("native int4 product of " + rows + " x " + cols + " (group " + group + ") refused its arguments");
    }
}
