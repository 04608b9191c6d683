package axc.target.cpu;

import axc.formats.dtype.DType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native kernels at every instruction-set level this machine runs, against the Vector API
 * kernels on the same stored rows (which {@link VectorKernelsTest} checks against the interpreter's
 * decoders): the same sums, so agreement to float rounding. Shapes include columns that are not a
 * multiple of the vector width, several activation rows and an output slice.
 */
class NativeKernelsTest {
    @AfterEach
    void restore() {
        NativeKernels.axc_cpu_set_level(NativeKernels.AVX512_VNNI);
    }

    @Test
    void loadsOnTheBuildMachine() {
        // The build compiled the library for this machine: it must load here, or the fast path is gone.
        assertTrue(NativeKernels.available(), NativeKernels.unavailableReason());
        assertTrue(NativeKernels.axc_cpu_detected_level() >= NativeKernels.PORTABLE);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : List.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0)) {
            for (int level = NativeKernels.PORTABLE; level <= NativeKernels.AVX512; level++) {
                out.add(Arguments.of(t, level, 7, 96, 1));
                out.add(Arguments.of(t, level, 33, 896, 3));
                if (!t.isQuantized()) out.add(Arguments.of(t, level, 5, 45, 2));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} level {1}: {2}x{3}, {4} rows")
    @MethodSource("cases")
    void agreesWithTheVectorKernels(DType type, int level, int rows, int cols, int n) {
        int used = NativeKernels.axc_cpu_set_level(level);
        Random rnd = new Random(rows * 31L + cols + level);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = Arena.ofAuto().allocate(rowBytes * rows, 64);
        fill(w, type, rowBytes, rows, cols, rnd);
        float[] x = gaussian(rnd, n * cols);
        MemorySegment xs = offHeap(x);
        int stride = rows + 3;
        MemorySegment ys = Arena.ofAuto().allocate(4L * n * stride, 64);
        MemorySegment kernelW = packedIfQuantized(type, w, rows, cols);
        // Rows [1, rows) only, written at offset 2: row 0 and the slack must stay untouched.
        assertEquals(0, NativeKernels.axc_cpu_matmul(CpuMatrix.nativeType(type), kernelW.address(), rowBytes, cols, xs.address(), n, ys.address(), stride, 2, 1, rows));
        float[] expect = new float[n * stride];
        CpuMatrix.compute(type, w, rowBytes, cols, x, n, expect, stride, 2, 1, rows);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows + 3; r++) {
                float got = ys.get(ValueLayout.JAVA_FLOAT, 4L * (t * stride + r));
                float want = expect[t * stride + r];
                String at = type + " at " + NativeKernels.levelName(used) + " row " + r + " of activation " + t;
                if (r < 3) assertEquals(0f, got, at + " (outside the rows asked for)");
                else assertEquals(want, got, 2e-5f * (1 + Math.abs(want)) * (float) Math.sqrt(cols), at);
            }
        }
    }

    /**
     * On a CPU without AVX-512 VNNI the int8 kernels do not exist: there the check is that they say so
     * (return -1, touching nothing; the addresses passed are null) rather than compute. On one with
     * VNNI (this build machine) the caller goes on to check the products.
     */
    private static boolean refusedWithoutVnni(DType type, java.util.function.IntSupplier kernelOnNullAddresses) {
        if (NativeKernels.axc_cpu_int8_supported(CpuMatrix.nativeType(type)) == 1) return false;
        assertEquals(-1, kernelOnNullAddresses.getAsInt(), type + ": an int8 kernel ran on a CPU without VNNI");
        return true;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** A copy of {@code x} in 64-byte aligned native memory, as the kernels are handed activations. */
    static MemorySegment offHeap(float[] x) {
        MemorySegment xs = Arena.ofAuto().allocate(4L * x.length, 64);
        MemorySegment.copy(x, 0, xs, ValueLayout.JAVA_FLOAT, 0, x.length);
        return xs;
    }

    static MemorySegment packedIfQuantized(DType type, MemorySegment w, int rows, int cols) {
        if (!type.isQuantized()) return w;
        MemorySegment p = Arena.ofAuto().allocate(w.byteSize(), 64);
        PackedRows.pack(type, cols, w, 0, rows, p);
        return p;
    }

    static Stream<Arguments> int8Cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : List.of(DType.Q8_0, DType.Q4_0)) {
            out.add(Arguments.of(t, 5, 64, 1));      // one pair of blocks
            out.add(Arguments.of(t, 9, 96, 2));      // an unpaired last block
            out.add(Arguments.of(t, 17, 896, 3));    // 28 blocks: a group of 16 and one of 12
            out.add(Arguments.of(t, 3, 4864, 1));    // 152 blocks
            out.add(Arguments.of(t, 4, 1056, 1));    // 33 blocks: groups of 16, 16 and an unpaired one
            out.add(Arguments.of(t, 6, 896, 6));     // prefill: four rows at a time, then two
            out.add(Arguments.of(t, 5, 1056, 9));    // four rows at a time with an unpaired block
        }
        return out.stream();
    }

    /**
     * The int8 kernels against their arithmetic done in Java: activations rounded per block as the C
     * side rounds them (to nearest even, scale max|x| / 127), integer dot products per block, scaled
     * by both scales. The integer part is exact, so a misplaced code or scale shows as a large error.
     */
    @ParameterizedTest(name = "int8 {0}: {1}x{2}, {3} rows")
    @MethodSource("int8Cases")
    void int8KernelsComputeTheQuantizedProduct(DType type, int rows, int cols, int n) {
        if (refusedWithoutVnni(type, () -> NativeKernels.axc_cpu_matmul_int8(CpuMatrix.nativeType(type), 0, type.bytesFor(cols), cols, 0, n, 0, rows, 0, 0, rows))) return;
        Random rnd = new Random(rows * 131L + cols);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = Arena.ofAuto().allocate(rowBytes * rows, 64);
        fill(w, type, rowBytes, rows, cols, rnd);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 4 : 1);
        MemorySegment xs = offHeap(x);
        MemorySegment q = Arena.ofAuto().allocate(n * NativeKernels.axc_cpu_act_row_bytes(cols), 64);
        int dt = CpuMatrix.nativeType(type);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows(dt, xs.address(), n, cols, q.address()));
        MemorySegment ys = Arena.ofAuto().allocate(4L * n * rows, 64);
        assertEquals(0, NativeKernels.axc_cpu_matmul_int8(dt, packedIfQuantized(type, w, rows, cols).address(), rowBytes, cols, q.address(), n, ys.address(), rows, 0, 0, rows));
        float[] wrow = new float[cols];
        assertInt8Products(type, w, rowBytes, rows, cols, x, n, ys);
        // And close to the float product: activations rounded to 8 bits lose well under 2%.
        float[] exact = new float[n * rows];
        CpuMatrix.compute(type, w, rowBytes, cols, x, n, exact, rows, 0, 0, rows);
        double err = 0, norm = 0;
        for (int i = 0; i < exact.length; i++) {
            double d = exact[i] - ys.get(ValueLayout.JAVA_FLOAT, 4L * i);
            err += d * d;
            norm += (double) exact[i] * exact[i];
        }
        assertTrue(err / norm < 1e-3, "int8 product NMSE " + err / norm);
    }

    /** The vector activation quantizer writes the portable one's bytes, for both weight types' orders. */
    @ParameterizedTest(name = "{0}, {1} columns")
    @org.junit.jupiter.params.provider.CsvSource({"Q8_0,896", "Q4_0,896", "Q4_0,1056", "Q8_0,96"})
    void vectorActivationQuantizationMatchesThePortableOne(DType type, int cols) {
        Random rnd = new Random(cols);
        int n = 3;
        MemorySegment xs = Arena.ofAuto().allocate(4L * n * cols, 64);
        for (int i = 0; i < n * cols; i++) xs.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian() * (i % 5 == 0 ? 10 : 1));
        for (int j = 0; j < 32; j++) xs.setAtIndex(ValueLayout.JAVA_FLOAT, cols + j, 0f);   // an all-zero block
        long bytes = n * NativeKernels.axc_cpu_act_row_bytes(cols);
        MemorySegment vec = Arena.ofAuto().allocate(bytes, 64);
        MemorySegment portable = Arena.ofAuto().allocate(bytes, 64);
        int dt = CpuMatrix.nativeType(type);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows(dt, xs.address(), n, cols, vec.address()));
        NativeKernels.axc_cpu_set_level(NativeKernels.PORTABLE);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows(dt, xs.address(), n, cols, portable.address()));
        assertEquals(-1L, portable.mismatch(vec), "first differing byte");
    }

    /**
     * The 16-row kernels against the same integer arithmetic done in Java, one to nine activation
     * rows (groups of four and a remainder), an odd number of blocks.
     */
    @ParameterizedTest(name = "rows16 {0}: {1}x{2}, {3} rows")
    @org.junit.jupiter.params.provider.CsvSource({"Q8_0,16,64,1", "Q4_0,16,64,1", "Q8_0,48,896,5", "Q4_0,48,896,9", "Q8_0,32,1056,4", "Q4_0,32,1056,2"})
    void rows16KernelsComputeTheQuantizedProduct(DType type, int rows, int cols, int n) {
        if (refusedWithoutVnni(type, () -> NativeKernels.axc_cpu_matmul_rows16(CpuMatrix.nativeType(type), 0, type.bytesFor(cols), cols, 0, n, 0, rows, 0, 0, rows))) return;
        Random rnd = new Random(rows * 17L + cols + n);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = Arena.ofAuto().allocate(rowBytes * rows, 64);
        fill(w, type, rowBytes, rows, cols, rnd);
        MemorySegment p = Arena.ofAuto().allocate(w.byteSize(), 64);
        PackedRows.pack16(type, cols, w, 0, rows, p);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * (i % 7 == 0 ? 4 : 1);
        MemorySegment xs = offHeap(x);
        MemorySegment q = Arena.ofAuto().allocate(n * NativeKernels.axc_cpu_act16_row_bytes(cols), 64);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows16(xs.address(), n, cols, q.address()));
        MemorySegment ys = Arena.ofAuto().allocate(4L * n * rows, 64);
        int dt = CpuMatrix.nativeType(type);
        assertEquals(0, NativeKernels.axc_cpu_matmul_rows16(dt, p.address(), rowBytes, cols, q.address(), n, ys.address(), rows, 0, 0, rows));
        assertEquals(-1, NativeKernels.axc_cpu_matmul_rows16(dt, p.address(), rowBytes, cols, q.address(), n, ys.address(), rows, 0, 8, rows), "rows not in 16s");
        assertInt8Products(type, w, rowBytes, rows, cols, x, n, ys);
    }

    /**
     * Checks {@code ys} (n activation rows of {@code rows} outputs) against the int8 arithmetic done in
     * Java: activations rounded per block as the C side rounds them (to nearest even, scale
     * max|x| / 127), integer dot products per block with the stored (GGUF) codes, scaled by both scales.
     */
    private static void assertInt8Products(DType type, MemorySegment w, long rowBytes, int rows, int cols, float[] x, int n, MemorySegment ys) {
        int block = type == DType.Q8_0 ? 34 : 18;
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double want = 0;
                for (int b = 0; b < cols / 32; b++) {
                    float amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[t * cols + 32 * b + j]));
                    float inv = amax > 0 ? 127f / amax : 0f;
                    long dot = 0;
                    for (int j = 0; j < 32; j++) {
                        long at = r * rowBytes + (long) block * b + 2;
                        int code = type == DType.Q8_0 ? w.get(ValueLayout.JAVA_BYTE, at + j)
                                : ((w.get(ValueLayout.JAVA_BYTE, at + (j & 15)) & 0xFF) >> (j < 16 ? 0 : 4) & 0x0F) - 8;
                        int xq = (int) Math.max(-127, Math.min(127, Math.rint(x[t * cols + 32 * b + j] * inv)));
                        dot += (long) code * xq;
                    }
                    float dw = Float.float16ToFloat(w.get(ValueLayout.JAVA_SHORT_UNALIGNED, r * rowBytes + (long) block * b));
                    want += dot * (double) dw * (amax / 127f);
                }
                float got = ys.get(ValueLayout.JAVA_FLOAT, 4L * (t * rows + r));
                assertEquals(want, got, 1e-4 * (1 + Math.abs(want)), type + " row " + r + " of activation " + t);
            }
        }
    }

    @Test
    void packingRoundTrips() {
        for (DType type : List.of(DType.Q8_0, DType.Q4_0)) {
            Random rnd = new Random(7);
            int rows = 6, cols = 160;
            long rowBytes = type.bytesFor(cols);
            MemorySegment w = Arena.ofAuto().allocate(rowBytes * rows, 64);
            fill(w, type, rowBytes, rows, cols, rnd);
            MemorySegment p = packedIfQuantized(type, w, rows, cols);
            MemorySegment back = PackedRows.unpack(type, rows, cols, p);
            assertEquals(-1L, w.mismatch(back), type + " unpack(pack(w)) != w");
            MemorySegment w16 = Arena.ofAuto().allocate(rowBytes * 32, 64);
            fill(w16, type, rowBytes, 32, cols, rnd);
            MemorySegment p16 = Arena.ofAuto().allocate(w16.byteSize(), 64);
            PackedRows.pack16(type, cols, w16, 0, 32, p16);
            assertEquals(-1L, w16.mismatch(PackedRows.unpack16(type, 32, cols, p16)), type + " unpack16(pack16(w)) != w");
            float[] a = new float[cols];
            float[] e = new float[cols];
            for (int r = 0; r < 32; r++) {
                PackedRows.dequantizeRow16(type, p16, r, cols, a);
                axc.formats.quant.Dequantizer.dequantize(type, w16, r * rowBytes, e, 0, cols);
                org.junit.jupiter.api.Assertions.assertArrayEquals(e, a, type + " 16-row layout, row " + r);
            }
            float[] fromPacked = new float[cols];
            float[] fromBlocks = new float[cols];
            for (int r = 0; r < rows; r++) {
                PackedRows.dequantizeRow(type, p, r, cols, fromPacked);
                axc.formats.quant.Dequantizer.dequantize(type, w, r * rowBytes, fromBlocks, 0, cols);
                org.junit.jupiter.api.Assertions.assertArrayEquals(fromBlocks, fromPacked, type + " row " + r);
            }
        }
    }

    @Test
    void refusesBadArguments() {
        MemorySegment w = Arena.ofAuto().allocate(64);
        assertEquals(-1, NativeKernels.axc_cpu_matmul(99, w.address(), 4, 4, w.address(), 1, w.address(), 4, 0, 0, 1));
        assertEquals(-1, NativeKernels.axc_cpu_matmul(NativeKernels.Q8_0, w.address(), 34, 31, w.address(), 1, w.address(), 4, 0, 0, 1));
        assertEquals(-1, NativeKernels.axc_cpu_matmul(NativeKernels.F32, w.address(), 16, 4, w.address(), 1, w.address(), 4, 0, 2, 1));
    }

    /** Random stored rows: floats for the float types, random codes and modest scales for the blocks. */
    private static void fill(MemorySegment w, DType type, long rowBytes, int rows, int cols, Random rnd) {
        for (int r = 0; r < rows; r++) {
            long o = r * rowBytes;
            switch (type) {
                case F32 -> { for (int c = 0; c < cols; c++) w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o + 4L * c, (float) rnd.nextGaussian()); }
                case F16 -> { for (int c = 0; c < cols; c++) w.set(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2L * c, Float.floatToFloat16((float) rnd.nextGaussian())); }
                case BF16 -> { for (int c = 0; c < cols; c++) w.set(ValueLayout.JAVA_SHORT_UNALIGNED, o + 2L * c, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16)); }
                case Q8_0, Q4_0 -> {
                    int block = type == DType.Q8_0 ? 34 : 18;
                    for (int b = 0; b < cols / 32; b++) {
                        long bo = o + (long) block * b;
                        w.set(ValueLayout.JAVA_SHORT_UNALIGNED, bo, Float.floatToFloat16(0.01f + 0.05f * rnd.nextFloat()));
                        for (int j = 2; j < block; j++) w.set(ValueLayout.JAVA_BYTE, bo + j, (byte) rnd.nextInt(256));
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
    }
}
