package axc.target.cuda;

import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static axc.target.cuda.CudaDriver.check;

/**
 * The driver API as this target uses it: the primary context of device 0, one module (the artifact's
 * fatbin, or its CUDA C compiled by NVRTC for this device), device memory, launches on one stream, and
 * stream capture into CUDA graphs. Every call is checked; a failure is an exception naming the call
 * and the driver's error, never a crash. Only reached after {@link CudaDriver#require()}.
 */
final class CudaRuntime implements AutoCloseable {
    /** CU_STREAM_NON_BLOCKING. */
    private static final int STREAM_NON_BLOCKING = 1;
    /** CU_STREAM_CAPTURE_MODE_THREAD_LOCAL. */
    private static final int CAPTURE_THREAD_LOCAL = 1;
    /** CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / MINOR. */
    private static final int CC_MAJOR = 75, CC_MINOR = 76;

    private final CUctx_st ctx = new CUctx_st();
    private final CUmod_st module = new CUmod_st();
    private final CUstream_st stream = new CUstream_st();
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final List<Long> allocations = new ArrayList<>();
    private final String device;

    CudaRuntime(byte[] fatbin, String source) {
        CudaDriver.require();
        check(cudart.cuDevicePrimaryCtxRetain(ctx, 0), "cuDevicePrimaryCtxRetain");
        check(cudart.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        int[] major = new int[1], minor = new int[1];
        check(cudart.cuDeviceGetAttribute(major, CC_MAJOR, 0), "cuDeviceGetAttribute");
        check(cudart.cuDeviceGetAttribute(minor, CC_MINOR, 0), "cuDeviceGetAttribute");
        byte[] name = new byte[256];
        check(cudart.cuDeviceGetName(name, name.length, 0), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        device = new String(name, 0, len, java.nio.charset.StandardCharsets.UTF_8) + " (sm_" + major[0] + minor[0] + ")";
        byte[] image = fatbin != null ? fatbin : ptx(source, major[0] * 10 + minor[0]);
        try (BytePointer img = new BytePointer(image.length + 1)) {
            img.put(image, 0, image.length).put(image.length, (byte) 0);
            check(cudart.cuModuleLoadData(module, img), "cuModuleLoadData");
        }
        check(cudart.cuStreamCreate(stream, STREAM_NON_BLOCKING), "cuStreamCreate");
    }

    String device() {
        return device;
    }

    /** PTX for {@code arch} from the artifact's CUDA C, through NVRTC (the path when nvcc was absent at compile time). */
    static byte[] ptx(String source, int arch) {
        _nvrtcProgram prog = new _nvrtcProgram();
        checkNvrtc(nvrtc.nvrtcCreateProgram(prog, new BytePointer(source), new BytePointer("kernels.cu"), 0, (PointerPointer<?>) null, (PointerPointer<?>) null),
                "nvrtcCreateProgram");
        try {
            List<String> opts = new ArrayList<>(List.of("--gpu-architecture=compute_" + arch, "--std=c++17", "-default-device"));
            // mma.h and the C++ headers are not among NVRTC's built-in ones: use a toolkit's when one is here.
            for (String home : new String[]{System.getenv("CUDA_HOME"), System.getenv("CUDA_PATH"), "/usr/local/cuda"}) {
                if (home != null && java.nio.file.Files.isDirectory(java.nio.file.Path.of(home, "include"))) {
                    opts.add("--include-path=" + java.nio.file.Path.of(home, "include"));
                    break;
                }
            }
            int r = nvrtc.nvrtcCompileProgram(prog, opts.size(), new PointerPointer<>(opts.toArray(String[]::new)));
            if (r != 0) {
                SizeTPointer size = new SizeTPointer(1);
                nvrtc.nvrtcGetProgramLogSize(prog, size);
                BytePointer log = new BytePointer(size.get());
                nvrtc.nvrtcGetProgramLog(prog, log);
                throw new IllegalStateException("cuda: NVRTC could not compile the artifact's kernels: " + log.getString().lines().findFirst().orElse(""));
            }
            SizeTPointer size = new SizeTPointer(1);
            checkNvrtc(nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize");
            BytePointer ptx = new BytePointer(size.get());
            checkNvrtc(nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX");
            byte[] out = new byte[(int) size.get()];
            ptx.get(out);
            return out;
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static void checkNvrtc(int code, String call) {
        if (code != 0) throw new IllegalStateException("cuda: " + call + " failed: " + nvrtc.nvrtcGetErrorString(code).getString());
    }

    CUfunc_st function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunc_st f = new CUfunc_st();
            check(cudart.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return f;
        });
    }

    /** Device memory of {@code bytes} (at least 16), zeroed, freed when this runtime closes. */
    long alloc(long bytes) {
        long[] p = new long[1];
        check(cudart.cuMemAlloc(p, Math.max(16, bytes)), "cuMemAlloc(" + bytes + ")");
        allocations.add(p[0]);
        check(cudart.cuMemsetD8(p[0], (byte) 0, Math.max(16, bytes)), "cuMemsetD8");
        return p[0];
    }

    void free(long p) {
        if (allocations.remove(Long.valueOf(p))) check(cudart.cuMemFree(p), "cuMemFree");
    }

    /**
     * Device memory bandwidth: the best of {@code repeat} device-to-device copies of {@code bytes},
     * counting the bytes read and the bytes written, as a copy moves both.
     */
    double copyGbPerS(long bytes, int repeat) {
        long a = alloc(bytes), b = alloc(bytes);
        try {
            copy(b, a, bytes);
            sync();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeat; i++) {
                long t0 = System.nanoTime();
                copy(b, a, bytes);
                sync();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * bytes / best / 1e9;
        } finally {
            free(a);
            free(b);
        }
    }

    /** Copies host memory (a mapped artifact entry or a heap segment) to the device, in pieces under 1 GiB. */
    void upload(long dst, MemorySegment src) {
        long step = 1L << 30;
        for (long off = 0; off < src.byteSize(); off += step) {
            long n = Math.min(step, src.byteSize() - off);
            MemorySegment piece = src.asSlice(off, n);
            if (piece.isNative()) {
                check(cudart.cuMemcpyHtoD(dst + off, new Pointer(piece.asByteBuffer()), n), "cuMemcpyHtoD");
            } else {
                try (BytePointer tmp = new BytePointer(n)) {
                    tmp.put(piece.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    check(cudart.cuMemcpyHtoD(dst + off, tmp, n), "cuMemcpyHtoD");
                }
            }
        }
    }

    void upload(long dst, float[] v) {
        try (org.bytedeco.javacpp.FloatPointer p = new org.bytedeco.javacpp.FloatPointer(v)) {
            check(cudart.cuMemcpyHtoDAsync(dst, p, 4L * v.length, stream), "cuMemcpyHtoDAsync");
            sync();
        }
    }

    void upload(long dst, int[] v) {
        try (IntPointer p = new IntPointer(v)) {
            check(cudart.cuMemcpyHtoDAsync(dst, p, 4L * v.length, stream), "cuMemcpyHtoDAsync");
            sync();
        }
    }

    float[] downloadFloats(long src, int n) {
        float[] out = new float[n];
        try (org.bytedeco.javacpp.FloatPointer p = new org.bytedeco.javacpp.FloatPointer(n)) {
            check(cudart.cuMemcpyDtoHAsync(p, src, 4L * n, stream), "cuMemcpyDtoHAsync");
            sync();
            p.get(out);
        }
        return out;
    }

    void copy(long dst, long src, long bytes) {
        check(cudart.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync");
    }

    /**
     * Launches {@code kernel}; {@code args} are its parameters in order, each a {@link Long} (a device
     * pointer or a 64-bit count), an {@link Integer} or a {@link Double}, as the kernel declares them.
     */
    void launch(String kernel, LaunchShapes s, Object... args) {
        List<Pointer> held = new ArrayList<>();
        try (PointerPointer<Pointer> params = new PointerPointer<>(args.length)) {
            for (int i = 0; i < args.length; i++) {
                Pointer p = switch (args[i]) {
                    case Long l -> new LongPointer(1).put(l);
                    case Integer v -> new IntPointer(1).put(v);
                    case Double d -> new DoublePointer(1).put(d);
                    default -> throw new IllegalArgumentException("kernel argument " + args[i]);
                };
                held.add(p);
                params.put(i, p);
            }
            check(cudart.cuLaunchKernel(function(kernel), s.gridX(), s.gridY(), s.gridZ(), s.blockX(), 1, 1, 0, stream, params, null),
                    "cuLaunchKernel(" + kernel + ")");
        } finally {
            held.forEach(Pointer::close);
        }
    }

    void sync() {
        check(cudart.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Records what {@code work} launches on the stream as a graph, instantiated for replay. */
    CUgraphExec_st capture(Runnable work) {
        CUgraph_st graph = new CUgraph_st();
        check(cudart.cuStreamBeginCapture(stream, CAPTURE_THREAD_LOCAL), "cuStreamBeginCapture");
        try {
            work.run();
        } finally {
            check(cudart.cuStreamEndCapture(stream, graph), "cuStreamEndCapture");
        }
        CUgraphExec_st exec = new CUgraphExec_st();
        check(cudart.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
        check(cudart.cuGraphDestroy(graph), "cuGraphDestroy");
        return exec;
    }

    void replay(CUgraphExec_st exec) {
        check(cudart.cuGraphLaunch(exec, stream), "cuGraphLaunch");
    }

    void destroy(CUgraphExec_st exec) {
        cudart.cuGraphExecDestroy(exec);
    }

    @Override
    public void close() {
        cudart.cuCtxSetCurrent(ctx);
        for (long p : allocations) cudart.cuMemFree(p);
        allocations.clear();
        cudart.cuStreamDestroy(stream);
        cudart.cuModuleUnload(module);
        cudart.cuDevicePrimaryCtxRelease(0);
    }
}
