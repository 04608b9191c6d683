package axc.target.npu;

import org.bytedeco.javacpp.BytePointer;

/**
 * One RNPU-A simulator instance: a device, a loaded program, memory that persists across runs (the
 * weights and the KV cache). Every call checks the C API's code and throws {@link NpuException} with
 * the simulator's message; nothing the simulator is fed can crash the JVM (its tests run it under
 * AddressSanitizer and UBSan).
 */
public final class Simulator implements AutoCloseable {
    private final NpuSim.Handle handle;

    public Simulator(String deviceJson) {
        NpuSim.Handle h = new NpuSim.Handle();
        try (BytePointer err = new BytePointer(512)) {
            int rc = NpuSim.npu_create(deviceJson, h, err, 512);
            if (rc != NpuSim.OK) throw new NpuException(rc, "device: " + cString(err));
        }
        handle = h;
    }

    /**
     * The NUL-terminated text in a buffer the simulator filled. {@code getString()} on a buffer allocated
     * with a size returns all of its bytes, the uninitialised ones after the NUL included.
     */
    static String cString(BytePointer buf) {
        byte[] b = new byte[(int) buf.capacity()];
        buf.get(b);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    public String deviceJson() {
        return NpuSim.npu_device_json(handle).getString();
    }

    public long deviceHash() {
        return NpuSim.npu_device_hash(handle);
    }

    public void load(byte[] program) {
        check(NpuSim.npu_load(handle, program, program.length));
    }

    public void write(String symbol, long offset, byte[] data) {
        check(NpuSim.npu_write(handle, symbol, offset, data, data.length));
    }

    public byte[] read(String symbol, long offset, int n) {
        byte[] out = new byte[n];
        check(NpuSim.npu_read(handle, symbol, offset, out, n));
        return out;
    }

    public void setRegister(int reg, long value) {
        check(NpuSim.npu_set_register(handle, reg, value));
    }

    /** Runs the loaded program; timed runs also leave a trace ({@link #traceJson()}). */
    public RunStats run(boolean timed) {
        try (NpuSim.Stats s = new NpuSim.Stats()) {
            check(NpuSim.npu_run(handle, timed ? NpuSim.TIMED : NpuSim.FUNCTIONAL, s));
            return RunStats.of(s);
        }
    }

    public String traceJson() {
        return NpuSim.npu_trace_json(handle).getString();
    }

    private void check(int rc) {
        if (rc != NpuSim.OK) throw new NpuException(rc, NpuSim.npu_error(handle).getString());
    }

    @Override
    public void close() {
        NpuSim.npu_destroy(handle);
    }
}
