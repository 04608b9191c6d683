package axc.target.cpu;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matrix kernels against the interpreter's decoding ({@link Dequantizer}) and a float64 dot product, on random stored
 * rows: widths that leave vector tails for the float types, whole blocks for Q8_0 and Q4_0. The pom
 * runs this class at the machine's preferred width and again with {@code axc.cpu.vector-bits} set to
 * 128 and 256 (a width is fixed per JVM: the kernels' species are constants).
 */
class VectorKernelsTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int bits = Lanes.F.vectorBitSize();
        for (DType t : List.of(DType.F32, DType.BF16, DType.F16)) for (int cols : new int[]{1, 7, 32, 45, 96, 257}) out.add(Arguments.of(bits, t, cols));
        for (DType t : List.of(DType.Q8_0, DType.Q4_0)) for (int cols : new int[]{32, 64, 160, 512}) out.add(Arguments.of(bits, t, cols));
        return out.stream();
    }

    @Test
    void runsAtTheRequestedWidth() {
        String bits = System.getProperty("axc.cpu.vector-bits");
        if (bits != null) assertEquals(Integer.parseInt(bits), Lanes.F.vectorBitSize());
        assertEquals(Lanes.LENGTH, Lanes.S.length());
        assertEquals(Lanes.LENGTH * Lanes.PARTS, Lanes.B.length());
    }

    @ParameterizedTest(name = "{0}-bit {1} cols={2}")
    @MethodSource("cases")
    void matchesDecodedFloat64Dot(int bits, DType dtype, int cols) {
        int rows = 9;
        int n = 3;
        Random rnd = new Random(cols * 31L + dtype.ordinal());
        long rowBytes = dtype.bytesFor(cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocate(rowBytes * rows);
            fill(w, dtype, rows, cols, rowBytes, rnd);
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            int stride = rows + 2;
            float[] out = new float[n * stride];
            CpuMatrix.compute(dtype, w, rowBytes, cols, x, n, out, stride, 1, 0, rows);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                decode(w, dtype, r * rowBytes, row, cols);
                for (int t = 0; t < n; t++) {
                    double exact = 0;
                    double mag = 0;
                    for (int c = 0; c < cols; c++) {
                        exact += (double) row[c] * x[t * cols + c];
                        mag += Math.abs((double) row[c] * x[t * cols + c]);
                    }
                    float got = out[t * stride + 1 + r];
                    assertTrue(Math.abs(got - exact) <= 1e-6 * mag + 1e-30,
                            dtype + " row " + r + " token " + t + ": " + got + " vs " + exact + " at " + bits + " bits");
                }
            }
            assertEquals(0f, out[0], "column before the range untouched");
        }
    }

    private static void decode(MemorySegment w, DType dtype, long off, float[] dst, int cols) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(w, VectorKernels.F32, off, dst, 0, cols);
            case BF16 -> {
                for (int c = 0; c < cols; c++) dst[c] = Float.intBitsToFloat(w.get(VectorKernels.I16, off + 2L * c) << 16);
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) dst[c] = Float.float16ToFloat(w.get(VectorKernels.I16, off + 2L * c));
            }
            default -> Dequantizer.dequantize(dtype, w, off, dst, 0, cols);
        }
    }

    /** Random rows; half-precision values include subnormals; block scales are finite f16. */
    private static void fill(MemorySegment w, DType dtype, int rows, int cols, long rowBytes, Random rnd) {
        ValueLayout.OfShort i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            long off = r * rowBytes;
            switch (dtype) {
                case F32 -> {
                    for (int c = 0; c < cols; c++) w.set(VectorKernels.F32, off + 4L * c, (float) rnd.nextGaussian());
                }
                case BF16 -> {
                    for (int c = 0; c < cols; c++) w.set(i16, off + 2L * c, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
                }
                case F16 -> {
                    for (int c = 0; c < cols; c++) {
                        double g = rnd.nextGaussian();
                        w.set(i16, off + 2L * c, Float.floatToFloat16((float) (c % 5 == 0 ? g * 1e-6 : g)));
                    }
                }
                case Q8_0, Q4_0 -> {
                    int block = dtype == DType.Q8_0 ? 34 : 18;
                    for (int b = 0; b < cols / 32; b++) {
                        long bo = off + (long) block * b;
                        w.set(i16, bo, Float.floatToFloat16((float) (0.01 + rnd.nextDouble() * 0.1)));
                        for (int j = 2; j < block; j++) w.set(ValueLayout.JAVA_BYTE, bo + j, (byte) rnd.nextInt(256));
                    }
                }
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
    }
}
