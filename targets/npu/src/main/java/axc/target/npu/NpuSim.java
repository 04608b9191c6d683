package axc.target.npu;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The simulator's flat C API ({@code targets/npu/native/npu_sim.h}), bound by JavaCPP: javacpp's
 * {@code build} goal compiles the simulator and this glue into one library inside the jar
 * ({@code npu_sim_unity.h}). Use {@link Simulator}, which turns error codes into exceptions.
 */
@Platform(include = {"npu_sim.h", "npu_sim_unity.h"}, compiler = "cpp17")
public final class NpuSim {
    static {
        Loader.load();
    }

    private NpuSim() {
    }

    public static final int OK = 0, EDEVICE = 1, EPROGRAM = 2, EMEMORY = 3, ERACE = 4, EDEADLOCK = 5, EOVERFLOW = 6, EARG = 7;
    public static final int FUNCTIONAL = 0, TIMED = 1;

    /** The opaque simulator handle. */
    @Opaque
    @Name("npu_sim")
    public static final class Handle extends Pointer {
        static {
            Loader.load();
        }

        public Handle() {
            super((Pointer) null);
        }
    }

    /** {@code npu_stats}: a run's figures. */
    @Name("npu_stats")
    public static final class Stats extends Pointer {
        static {
            Loader.load();
        }

        public Stats() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native double cycles();

        @MemberGetter
        public native double us();

        @MemberGetter
        public native @Cast("uint64_t") long instructions();

        @MemberGetter
        public native @Cast("uint64_t") long dram_read_bytes();

        @MemberGetter
        public native @Cast("uint64_t") long dram_write_bytes();

        @MemberGetter
        public native @Cast("uint64_t") long dram_class_bytes(int i);

        @MemberGetter
        public native double dram_gbps();

        @MemberGetter
        public native double tu_utilization();

        @MemberGetter
        public native @Cast("uint64_t") long useful_macs();

        @MemberGetter
        public native @Cast("uint64_t") long spm_high_water();

        @MemberGetter
        public native @Cast("uint64_t") long shm_high_water();

        @MemberGetter
        public native int queues();

        @MemberGetter
        public native double busy(int q);

        @MemberGetter
        public native double stall(int q);

        @MemberGetter
        public native double idle(int q);
    }

    public static native int npu_create(String deviceJson, @ByPtrPtr Handle out, @Cast("char*") BytePointer err, int errLen);

    public static native void npu_destroy(Handle sim);

    public static native @Cast("const char*") BytePointer npu_error(Handle sim);

    public static native @Cast("const char*") BytePointer npu_device_json(Handle sim);

    public static native @Cast("uint64_t") long npu_device_hash(Handle sim);

    public static native int npu_load(Handle sim, @Cast("const uint8_t*") byte[] program, @Cast("uint64_t") long length);

    public static native int npu_write(Handle sim, String symbol, @Cast("uint64_t") long address, @Cast("const void*") byte[] src, @Cast("uint64_t") long n);

    public static native int npu_read(Handle sim, String symbol, @Cast("uint64_t") long address, @Cast("void*") byte[] dst, @Cast("uint64_t") long n);

    public static native int npu_set_register(Handle sim, int reg, @Cast("int64_t") long value);

    public static native int npu_run(Handle sim, int mode, Stats stats);

    public static native @Cast("const char*") BytePointer npu_trace_json(Handle sim);
}
