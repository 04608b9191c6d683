package axc.benchmarks;

import axc.formats.dtype.DType;
import axc.target.cpu.Activations;
import axc.target.cpu.CpuMatrix;
import axc.target.cpu.NativeKernels;
import axc.target.cpu.NativeLibraryCache;
import axc.target.cpu.NativeScratch;
import axc.target.cpu.PackedRows;
import axc.target.cpu.RowPool;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cpu target's matrix products on the 0.5B model's FFN shape (4864 x 896), as decode (one
 * activation row) and prefill (64 rows) run them, on {@code threads} threads. Weights rotate over
 * 24 matrices (about 100-200 MB, far past the caches) so decode reads them from DRAM as a model does.
 * Paths: {@code native-int8} (C, int8 activations, VNNI, 16-row layout), {@code native-f32} (C, float
 * activations, row layout)
 * and {@code java} (the Vector API fallback); float types run with {@code -p dtype=BF16 -p path=native-f32,java}.
 * The auxiliary counters turn the score into weight
 * GB/s ({@code weightBytes}, per second) and GFLOP/s ({@code flops}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatmulKernelBenchmark {
    static {
        // Before NativeKernels loads in the forked JVM: this jar's libraries, not an older unpacked copy.
        NativeLibraryCache.configure();
    }

    private static final int ROWS = 4864;
    private static final int COLS = 896;
    private static final int MATRICES = 24;

    @Param({"Q8_0", "Q4_0"})
    public String dtype;

    @Param({"native-int8", "native-f32", "java"})
    public String path;

    @Param({"2"})
    public int threads;

    private final List<CpuMatrix> matrices = new ArrayList<>();
    private RowPool pool;
    private float[] x1;
    private float[] y1;
    private float[] x64;
    private float[] y64;
    private int next;

    /** Bytes and floating-point operations done, for rates per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public long weightBytes;
        public long flops;
    }

    @Setup(Level.Trial)
    public void setup() {
        DType t = DType.valueOf(dtype);
        if (path.startsWith("native") && !NativeKernels.available()) throw new IllegalStateException(NativeKernels.unavailableReason());
        if (path.equals("native-int8") && !t.isQuantized()) throw new IllegalStateException("int8 activations are for Q8_0 and Q4_0 only");
        pool = new RowPool(threads);
        NativeScratch scratch = new NativeScratch();
        SplittableRandom rnd = new SplittableRandom(5);
        long rowBytes = t.bytesFor(COLS);
        for (int m = 0; m < MATRICES; m++) {
            MemorySegment w = Arena.global().allocate(rowBytes * ROWS, 64);
            for (long o = 0; o + 8 <= w.byteSize(); o += 8) w.set(ValueLayout.JAVA_LONG_UNALIGNED, o, rnd.nextLong());
            if (t.isQuantized()) {
                int block = t == DType.Q8_0 ? 34 : 18;
                for (long o = 0; o < w.byteSize(); o += block) w.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, Float.floatToFloat16(0.01f));
            } else {
                for (long o = 0; o < w.byteSize(); o += 2) w.set(ValueLayout.JAVA_SHORT_UNALIGNED, o, (short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
            }
            // As the cpu target lays them out: 16-row groups for the int8 kernels, rows for the float ones.
            String layout = !path.startsWith("native") || !t.isQuantized() ? null : path.equals("native-int8") ? PackedRows.LAYOUT16 : PackedRows.LAYOUT;
            if (layout != null) {
                MemorySegment p = Arena.global().allocate(w.byteSize(), 64);
                if (layout.equals(PackedRows.LAYOUT16)) PackedRows.pack16(t, COLS, w, 0, ROWS, p);
                else PackedRows.pack(t, COLS, w, 0, ROWS, p);
                w = p;
            }
            Activations mode = path.equals("native-int8") ? Activations.INT8 : Activations.F32;
            matrices.add(new CpuMatrix(w, t, ROWS, COLS, null, pool, path.equals("java") ? null : scratch, mode, layout));
        }
        x1 = gaussian(rnd, COLS);
        y1 = new float[ROWS];
        x64 = gaussian(rnd, 64 * COLS);
        y64 = new float[64 * ROWS];
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    /** One decode product: every weight byte read once. */
    @Benchmark
    public float decode(Work work) {
        CpuMatrix m = matrices.get(next++ % MATRICES);
        m.matvec(x1, y1);
        work.weightBytes += DType.valueOf(dtype).bytesFor((long) ROWS * COLS);
        work.flops += 2L * ROWS * COLS;
        return y1[0];
    }

    /** One prefill product of 64 activation rows. */
    @Benchmark
    public float prefill64(Work work) {
        CpuMatrix m = matrices.get(next++ % MATRICES);
        m.matmul(x64, 64, y64, ROWS, 0);
        work.weightBytes += DType.valueOf(dtype).bytesFor((long) ROWS * COLS);
        work.flops += 2L * 64 * ROWS * COLS;
        return y64[0];
    }
}
