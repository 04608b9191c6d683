package axc.target.cuda;

import axc.errors.TargetUnavailableException;
import axc.target.Availability;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

/**
 * Whether the CUDA driver is here, asked once per JVM. The bindings' native glue links against
 * {@code libcuda.so.1}: on a machine without a driver its first use throws {@link UnsatisfiedLinkError}
 * and every later use {@link NoClassDefFoundError}; both are caught here, so "no GPU" is an answer
 * ({@link Availability}), never a crash. Nothing else in this target touches the bindings before
 * {@link #require()} has passed.
 */
final class CudaDriver {
    private static Availability probed;

    private CudaDriver() {
    }

    static synchronized Availability probe() {
        if (probed == null) probed = ask();
        return probed;
    }

    /** Throws {@link TargetUnavailableException} (exit 6) with the probe's reason when there is no usable GPU. */
    static void require() {
        Availability a = probe();
        if (!a.available()) throw new TargetUnavailableException("cuda: unavailable: " + a.reason());
    }

    private static Availability ask() {
        try {
            int r = cudart.cuInit(0);
            if (r != 0) return Availability.no("the CUDA driver did not initialise (" + errorName(r) + ")");
            int[] count = new int[1];
            r = cudart.cuDeviceGetCount(count);
            if (r != 0) return Availability.no("the CUDA driver lists no devices (" + errorName(r) + ")");
            if (count[0] == 0) return Availability.no("no CUDA device");
            return Availability.yes();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.no("no CUDA driver (libcuda.so.1 could not be loaded)");
        }
    }

    /** The driver's name for an error code, e.g. CUDA_ERROR_NO_DEVICE. */
    static String errorName(int code) {
        try (BytePointer p = new BytePointer((BytePointer) null)) {
            if (cudart.cuGetErrorName(code, p) == 0 && p.address() != 0) return p.getString();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            // no driver: the code is all there is
        }
        return "CUDA error " + code;
    }

    /** Throws with the call's name and the driver's error name unless {@code code} is CUDA_SUCCESS. */
    static void check(int code, String call) {
        if (code != 0) throw new IllegalStateException("cuda: " + call + " failed: " + errorName(code));
    }
}
