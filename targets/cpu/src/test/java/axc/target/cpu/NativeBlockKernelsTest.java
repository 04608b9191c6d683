package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;
import axc.formats.quant.Quantizer;
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

/**
 * The native kernels for GGUF blocks as stored ({@code axc_cpu_blocks.h}: Q4_1, Q5_0, Q5_1, Q2_K,
 * Q3_K, Q4_K, Q5_K, Q6_K) at every instruction-set level, against the Java dequantizers (which the format tests
 * hold to llama.cpp's own dequantized values) and a float64 dot product. The weights are random
 * rows quantized by the Java quantizers with outliers, so every code, scale, min and high bit
 * varies: a misplaced nibble or a wrong sub-block scale is an error of whole weights, far above the
 * float rounding allowed here.
 */
class NativeBlockKernelsTest {
    @AfterEach
    void restore() {
        NativeKernels.axc_cpu_set_level(NativeKernels.AVX512_VNNI);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : List.of(DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K)) {
            for (int level = NativeKernels.PORTABLE; level <= NativeKernels.AVX512; level++) {
                int block = t.blockSize();
                out.add(Arguments.of(t, level, 5, block, 1));
                out.add(Arguments.of(t, level, 9, 19 * block, 3));     // ffn_down's 4864 columns for the K types
                out.add(Arguments.of(t, level, 3, 28 * 32 * (block / 32), 2));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} level {1}: {2}x{3}, {4} rows")
    @MethodSource("cases")
    void agreesWithTheDequantizedRows(DType type, int level, int rows, int cols, int n) {
        int used = NativeKernels.axc_cpu_set_level(level);
        Random rnd = new Random(rows * 131L + cols + level + type.ordinal());
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = quantizedRows(type, rows, cols, rnd);
        float[] x = NativeKernelsTest.gaussian(rnd, n * cols);
        MemorySegment xs = NativeKernelsTest.offHeap(x);
        int stride = rows + 3;
        MemorySegment ys = Arena.ofAuto().allocate(4L * n * stride, 64);
        // Rows [1, rows) only, written at offset 2: row r lands at 2 + r, and everything else stays untouched.
        assertEquals(0, NativeKernels.axc_cpu_matmul_blocks(CpuMatrix.nativeType(type), w.address(), rowBytes, cols, xs.address(), n, ys.address(), stride, 2, 1, rows));
        float[] deq = new float[cols];
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < stride; r++) {
                float got = ys.get(ValueLayout.JAVA_FLOAT, 4L * (t * stride + r));
                String at = type + " at " + NativeKernels.levelName(used) + " row " + r + " of activation " + t;
                if (r < 3 || r >= rows + 2) {
                    assertEquals(0f, got, at + " (outside the rows asked for)");
                    continue;
                }
                Dequantizer.dequantize(type, w, (r - 2) * rowBytes, deq, 0, cols);
                double want = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    want += (double) deq[c] * x[t * cols + c];
                    mag += Math.abs((double) deq[c] * x[t * cols + c]);
                }
                assertEquals(want, got, 1e-6 * mag + 1e-6, at);
            }
        }
    }

    static Stream<Arguments> int8Cases() {
        List<Arguments> out = new ArrayList<>();
        for (DType t : List.of(DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K)) {
            out.add(Arguments.of(t, 5, t.blockSize(), 1));
            out.add(Arguments.of(t, 7, 19 * t.blockSize(), 3));
        }
        return out.stream();
    }

    /**
     * The int8-activation kernels against their arithmetic done here: the activations as the C side
     * quantized them (read back from its buffer: codes and a scale per 32), each block's dequantized
     * weights dotted with the codes in float64 and scaled by the block's activation scale. What is
     * left is float rounding, so a misplaced code, bit or scale is a large error, not a rounding one.
     */
    @ParameterizedTest(name = "int8 {0}: {1}x{2}, {3} rows")
    @MethodSource("int8Cases")
    void int8AgreesWithTheQuantizedActivations(DType type, int rows, int cols, int n) {
        Random rnd = new Random(rows * 17L + cols + type.ordinal());
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = quantizedRows(type, rows, cols, rnd);
        MemorySegment y = Arena.ofAuto().allocate(4L * n * rows, 64);
        int nativeType = CpuMatrix.nativeType(type);
        if (type == DType.Q2_K || type == DType.Q3_K) assertEquals(0, NativeKernels.axc_cpu_int8_supported(nativeType), type + " has no int8 kernel");
        if (NativeKernels.axc_cpu_int8_supported(nativeType) == 0) {
            // No VNNI here, or no int8 kernel for the type: the kernel must say so and touch nothing.
            assertEquals(-1, NativeKernels.axc_cpu_matmul_blocks_int8(nativeType, w.address(), rowBytes, cols, 0, n, y.address(), rows, 0, 0, rows));
            return;
        }
        float[] x = NativeKernelsTest.gaussian(rnd, n * cols);
        long arb = NativeKernels.axc_cpu_act16_row_bytes(cols);
        MemorySegment act = Arena.ofAuto().allocate(arb * n, 64);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows16(NativeKernelsTest.offHeap(x).address(), n, cols, act.address()));
        assertEquals(0, NativeKernels.axc_cpu_matmul_blocks_int8(nativeType, w.address(), rowBytes, cols, act.address(), n, y.address(), rows, 0, 0, rows));
        int nb = cols / 32;
        float[] deq = new float[cols];
        for (int r = 0; r < rows; r++) {
            Dequantizer.dequantize(type, w, r * rowBytes, deq, 0, cols);
            for (int t = 0; t < n; t++) {
                double want = 0, mag = 0;
                for (int b = 0; b < nb; b++) {
                    double dx = act.get(ValueLayout.JAVA_FLOAT, arb * t + 32L * nb + 4L * b), sum = 0;
                    for (int j = 0; j < 32; j++) sum += (double) deq[32 * b + j] * act.get(ValueLayout.JAVA_BYTE, arb * t + 32L * b + j);
                    want += dx * sum;
                    mag += Math.abs(dx * sum);
                }
                assertEquals(want, y.get(ValueLayout.JAVA_FLOAT, 4L * (t * rows + r)), 1e-5 * mag + 1e-6, type + " row " + r + " of activation " + t);
            }
        }
    }

    /**
     * Q5_0 and Q4_K in the 16-row interleaved layout: packing is undone exactly, rows read back as the
     * dequantizer reads the blocks, and the 16-row int8 kernel gives what the int8 kernel on the stored
     * blocks gives for the same quantized activations (both sum the same integer products; only the
     * float scaling order differs).
     */
    @ParameterizedTest(name = "{0} 16-row: {1}x{2}, {3} rows")
    @org.junit.jupiter.params.provider.CsvSource({"Q5_0,16,32,1", "Q5_0,48,896,5", "Q5_0,32,1056,2", "Q4_K,16,256,1", "Q4_K,48,1280,5", "Q4_K,32,4864,2"})
    void sixteenRowGroups(DType type, int rows, int cols, int n) {
        Random rnd = new Random(rows + cols * 3L + n);
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = quantizedRows(type, rows, cols, rnd);
        MemorySegment p = Arena.ofAuto().allocate(w.byteSize(), 64);
        PackedRows.pack16(type, cols, w, 0, rows, p);
        assertEquals(-1L, w.mismatch(PackedRows.unpack16(type, rows, cols, p)), "unpack16(pack16(w)) != w");
        float[] a = new float[cols];
        float[] e = new float[cols];
        for (int r = 0; r < rows; r++) {
            PackedRows.dequantizeRow16(type, p, r, cols, a);
            Dequantizer.dequantize(type, w, r * rowBytes, e, 0, cols);
            org.junit.jupiter.api.Assertions.assertArrayEquals(e, a, "row " + r);
        }
        int dt = CpuMatrix.nativeType(type);
        MemorySegment ys = Arena.ofAuto().allocate(4L * n * rows, 64);
        if (NativeKernels.axc_cpu_int8_supported(dt) == 0) {
            assertEquals(-1, NativeKernels.axc_cpu_matmul_rows16(dt, p.address(), rowBytes, cols, 0, n, ys.address(), rows, 0, 0, rows));
            return;
        }
        long arb = NativeKernels.axc_cpu_act16_row_bytes(cols);
        MemorySegment act = Arena.ofAuto().allocate(arb * n, 64);
        assertEquals(0, NativeKernels.axc_cpu_quantize_rows16(NativeKernelsTest.offHeap(NativeKernelsTest.gaussian(rnd, n * cols)).address(), n, cols, act.address()));
        MemorySegment want = Arena.ofAuto().allocate(4L * n * rows, 64);
        assertEquals(0, NativeKernels.axc_cpu_matmul_blocks_int8(dt, w.address(), rowBytes, cols, act.address(), n, want.address(), rows, 0, 0, rows));
        assertEquals(0, NativeKernels.axc_cpu_matmul_rows16(dt, p.address(), rowBytes, cols, act.address(), n, ys.address(), rows, 0, 0, rows));
        // The stored-block kernel takes the codes' offset off in float, the 16-row one in integers: on
        // outputs that nearly cancel that moves the last digits, while a wrong mask bit moves an output
        // by 16 codes' worth (about the outputs' own size).
        double sq = 0;
        for (int i = 0; i < n * rows; i++) sq += Math.pow(want.getAtIndex(ValueLayout.JAVA_FLOAT, i), 2);
        double rms = Math.sqrt(sq / (n * rows));
        for (int i = 0; i < n * rows; i++) {
            float x = want.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            assertEquals(x, ys.getAtIndex(ValueLayout.JAVA_FLOAT, i), 1e-3 * rms, "output " + i);
        }
    }

    /** Random rows with outlier columns and offsets, quantized by the Java quantizer. */
    static MemorySegment quantizedRows(DType type, int rows, int cols, Random rnd) {
        long rowBytes = type.bytesFor(cols);
        MemorySegment w = Arena.ofAuto().allocate(rowBytes * rows, 64);
        float[] src = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) src[c] = (float) (rnd.nextGaussian() * (c % 37 == 5 ? 8 : 1) + (r % 3 == 1 ? 0.5 : 0));
            Quantizer.quantize(type, src, 0, cols, w, r * rowBytes);
        }
        return w;
    }

    @Test
    void refusesWhatItCannotRead() {
        MemorySegment w = Arena.ofAuto().allocate(4096, 64);
        MemorySegment x = Arena.ofAuto().allocate(4096, 64);
        MemorySegment y = Arena.ofAuto().allocate(64, 64);
        int q4k = CpuMatrix.nativeType(DType.Q4_K);
        assertEquals(-1, NativeKernels.axc_cpu_matmul_blocks(q4k, w.address(), 144, 128, x.address(), 1, y.address(), 1, 0, 0, 1), "half a 256-block");
        assertEquals(-1, NativeKernels.axc_cpu_matmul_blocks(q4k, w.address(), 143, 256, x.address(), 1, y.address(), 1, 0, 0, 1), "rows shorter than their blocks");
        assertEquals(-1, NativeKernels.axc_cpu_matmul_blocks(CpuMatrix.nativeType(DType.Q8_0), w.address(), 34, 32, x.address(), 1, y.address(), 1, 0, 0, 1), "a type of the other kernels");
        assertEquals(-1, NativeKernels.axc_cpu_matmul_blocks(q4k, w.address(), 144, 256, x.address(), 0, y.address(), 1, 0, 0, 1), "no activation rows");
        assertEquals(0f, y.get(ValueLayout.JAVA_FLOAT, 0), "nothing written on a refusal");
    }
}
