package axc.target.cpu;

import axc.reference.GptqMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A 4-bit grouped matrix in GPTQ's packed layout (axc's int4 schemes: RTN, AWQ and GPTQ) on the native
 * kernels ({@code axc_cpu_int4.h}): bands of 16 outputs over the {@link RowPool}. Each (group, output)
 * pair's scale and scale times zero-point are taken to float32 once, at load. Sequential groups are
 * read in place, where the artifact maps them. Act-ordered groups ({@code g_idx} a permutation of
 * whole groups, as GPTQ's {@code desc_act} writes it) are made sequential once at load: the input rows
 * sorted by group, the codes repacked in that order (a copy of the codes in memory) and every
 * product's activations permuted the same way, which leaves each output's sum the same terms.
 */
final class CpuInt4Matrix extends NativeProductMatrix {
    private final GptqMatrix reference;
    private final MemorySegment qweight;
    private final MemorySegment scales;
    private final MemorySegment scaledZeros;
    private final int group;
    /** The input rows in group order ({@code perm[p]} is the row at position p), or null for sequential groups. */
    private final int[] perm;
    /** Activation rows in {@link #perm}'s order, reused. */
    private float[] permuted = new float[0];
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    CpuInt4Matrix(GptqMatrix reference, RowPool pool, NativeScratch scratch) {
        this(reference, pool, scratch, new WeightMemory(WeightMemory.Mode.MAPPED));
    }

    /** With the codes read from where {@code memory} places them (repacked ones are copies already). */
    CpuInt4Matrix(GptqMatrix reference, RowPool pool, NativeScratch scratch, WeightMemory memory) {
        // Work in bands of 16 outputs, 8 bytes of codes per input row: 64 KiB to 1 MiB of codes per
        // chunk, and at least four bands, which a one-row product reads together (axc_g4_band64_avx512).
        int rows = reference.rows(), cols = reference.cols();
        long bandBytes = 8L * cols;
        int bands = (rows + 15) / 16;
        int minBands = (int) Math.max(Math.min(4, bands), Math.min(bands, 64 * 1024 / bandBytes));
        super(rows, cols, pool, scratch, bands, minBands, (int) Math.max(minBands, 1024 * 1024 / bandBytes));
        this.reference = reference;
        this.group = reference.groupSize();
        if (!reference.qweight().isNative()) throw new IllegalArgumentException("int4 codes must be in native memory");
        boolean inOrder = reference.sequentialGroups();
        this.perm = inOrder ? null : groupOrder(reference);
        if (!inOrder && perm == null) throw new IllegalArgumentException("g_idx does not split the inputs into whole groups of " + group);
        this.qweight = perm == null ? memory.place(reference.qweight()) : repacked(reference.qweight(), perm, rows, cols);
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

    /** Whether this matrix's groups run here: in order, or each group whole under act-order. */
    static boolean takes(GptqMatrix m) {
        return m.sequentialGroups() || groupOrder(m) != null;
    }

    /** The input rows sorted by group, stable; null unless every group has exactly {@code groupSize} rows. */
    static int[] groupOrder(GptqMatrix m) {
        int cols = m.cols(), size = m.groupSize();
        if (cols % size != 0) return null;
        int[] filled = new int[cols / size];
        int[] perm = new int[cols];
        for (int i = 0; i < cols; i++) {
            int g = m.group(i);
            if (filled[g] == size) return null;
            perm[g * size + filled[g]++] = i;
        }
        return perm;
    }

    /** The codes with input row {@code perm[p]} moved to position p: int32 [cols / 8, rows], 8 codes a word, low nibble first. */
    static MemorySegment repacked(MemorySegment q, int[] perm, int rows, int cols) {
        MemorySegment out = Arena.ofAuto().allocate(4L * cols / 8 * rows, 64);
        for (int w = 0; w < cols / 8; w++) {
            for (int j = 0; j < rows; j++) {
                int word = 0;
                for (int b = 0; b < 8; b++) {
                    int i = perm[8 * w + b];
                    word |= ((q.get(I32, 4L * ((long) (i >> 3) * rows + j)) >>> (4 * (i & 7))) & 15) << (4 * b);
                }
                out.set(I32, 4L * ((long) w * rows + j), word);
            }
        }
        return out;
    }

    /** Act-order: the activation rows in {@link #perm}'s order. */
    @Override
    protected long activations(float[] x, int n, NativeScratch scratch) {
        if (perm == null) return super.activations(x, n, scratch);
        if (permuted.length < n * cols) permuted = new float[n * cols];
        for (int t = 0; t < n; t++) for (int p = 0; p < cols; p++) permuted[t * cols + p] = x[t * cols + perm[p]];
        return super.activations(permuted, n, scratch);
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
