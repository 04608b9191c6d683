package axc.target.cpu;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code src/main/native/axc_cpu_kernels.h}: matrix products of stored weight
 * rows with float32 activations, with AVX-512, AVX2 and portable C paths picked at run time. The
 * Maven build compiles the JNI glue and the kernels into one library inside this module's jar
 * (javacpp's {@code build} goal); {@link #available()} says whether it loaded here, and when it did
 * not (another OS or architecture, a missing compiler at build time) the cpu target keeps to its
 * Vector API kernels. Addresses are passed as {@code long}: the weights are mapped and the
 * activations live in off-heap buffers ({@link NativeScratch}), so no Java array is pinned or copied
 * by JNI.
 */
@Platform(include = "axc_cpu_kernels.h", compiler = "cpp11")
public final class NativeKernels {
    private NativeKernels() {
    }

    /** Storage type numbers of the C API. */
    static final int F32 = 0, F16 = 1, BF16 = 2, Q8_0 = 3, Q4_0 = 4;
    /** The block types read as the GGUF stores them ({@code axc_cpu_blocks.h}). */
    static final int Q4_1 = 5, Q5_0 = 6, Q5_1 = 7, Q4_K = 8, Q5_K = 9, Q6_K = 10, Q2_K = 11, Q3_K = 12;
    /** Instruction-set levels of the C API. */
    public static final int PORTABLE = 0, AVX2 = 1, AVX512 = 2, AVX512_VNNI = 3;

    private static final String UNAVAILABLE = load();

    private static String load() {
        if ("false".equals(System.getProperty("axc.cpu.native"))) return "switched off (-Daxc.cpu.native=false)";
        try {
            Loader.load();
            return null;
        } catch (Throwable e) {
            // UnsatisfiedLinkError or a missing platform build: the Vector API path still works.
            return "native kernels did not load: " + e;
        }
    }

    /** Whether the native library loaded on this machine. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the native kernels are not in use, or null when they are. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** A readable name for a level. */
    public static String levelName(int level) {
        return switch (level) {
            case AVX512_VNNI -> "avx512-vnni";
            case AVX512 -> "avx512";
            case AVX2 -> "avx2";
            default -> "portable";
        };
    }

    public static native int axc_cpu_detected_level();

    public static native int axc_cpu_level();

    public static native int axc_cpu_set_level(int level);

    public static native int axc_cpu_matmul(int dtype, @Cast("const void*") long w, long rowBytes, int cols,
                                            @Cast("const float*") long x, int n, @Cast("float*") long y,
                                            int yStride, int yOff, int r0, int r1);

    public static native int axc_cpu_matmul_blocks(int dtype, @Cast("const void*") long w, long rowBytes, int cols,
                                                   @Cast("const float*") long x, int n, @Cast("float*") long y,
                                                   int yStride, int yOff, int r0, int r1);

    public static native int axc_cpu_matmul_blocks_int8(int dtype, @Cast("const void*") long w, long rowBytes, int cols,
                                                        @Cast("const void*") long act, int n, @Cast("float*") long y,
                                                        int yStride, int yOff, int r0, int r1);

    public static native int axc_cpu_int8_supported(int dtype);

    public static native int axc_cpu_matmul_g4(@Cast("const void*") long qweight, @Cast("const float*") long scales,
                                               @Cast("const float*") long sz, int cols, int rows, int group,
                                               @Cast("const float*") long x, int n, @Cast("float*") long y,
                                               int yStride, int yOff, int r0, int r1);

    public static native int axc_cpu_matmul_i8f(@Cast("const void*") long w, @Cast("const float*") long scales, int cols,
                                                @Cast("const float*") long x, int n, @Cast("float*") long y,
                                                int yStride, int yOff, int r0, int r1);

    public static native int axc_cpu_matmul_i8i8(@Cast("const void*") long w, @Cast("const float*") long scales, int cols,
                                                 @Cast("const void*") long xq, @Cast("const float*") long sx, int n,
                                                 @Cast("float*") long y, int yStride, int yOff, int r0, int r1);

    public static native long axc_cpu_act16_row_bytes(int cols);

    public static native int axc_cpu_quantize_rows16(@Cast("const float*") long x, int n, int cols, @Cast("void*") long out);

    public static native int axc_cpu_matmul_rows16(int dtype, @Cast("const void*") long w, long rowBytes, int cols,
                                                   @Cast("const void*") long act, int n, @Cast("float*") long y,
                                                   int yStride, int yOff, int r0, int r1);

    public static native long axc_cpu_act_row_bytes(int cols);

    public static native int axc_cpu_quantize_rows(int dtype, @Cast("const float*") long x, int n, int cols, @Cast("void*") long out);

    public static native int axc_cpu_matmul_int8(int dtype, @Cast("const void*") long w, long rowBytes, int cols,
                                                 @Cast("const void*") long act, int n, @Cast("float*") long y,
                                                 int yStride, int yOff, int r0, int r1);

    /** Whether {@link #axc_quantize_rows} takes rows of storage type {@code st} to {@code dt} on this machine. */
    public static native int axc_quantize_supported(int st, int dt);

    /**
     * Quantizes {@code rows} rows of {@code cols} elements at {@code src} ({@code srcRowBytes} apart) into
     * {@code dst}; row r's squared error and squared norm go to {@code err[2r]} and {@code err[2r+1]}.
     */
    public static native int axc_quantize_rows(int st, @Cast("const void*") long src, long srcRowBytes, int dt,
                                               @Cast("void*") byte[] dst, int cols, int rows, double[] err);
}
