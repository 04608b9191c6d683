package axc.target.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Off-heap float buffers for the native kernels' activations and outputs, grown when a product needs
 * more and then reused: a decode step allocates nothing. One model's matrices take turns with it
 * (callers hold its lock for a whole product), so it holds only the largest product's buffers.
 * Memory comes from an automatic arena: dropped buffers are freed by the garbage collector.
 */
public final class NativeScratch {
    private MemorySegment x = MemorySegment.NULL;
    private MemorySegment y = MemorySegment.NULL;
    private MemorySegment q = MemorySegment.NULL;

    /** At least {@code floats} floats for activations. */
    MemorySegment x(long floats) {
        if (x.byteSize() < floats * 4) x = grow(floats);
        return x;
    }

    /** At least {@code floats} floats for outputs. */
    MemorySegment y(long floats) {
        if (y.byteSize() < floats * 4) y = grow(floats);
        return y;
    }

    /** At least {@code bytes} bytes for quantized activation rows. */
    MemorySegment q(long bytes) {
        if (q.byteSize() < bytes) q = grow((bytes + 3) / 4);
        return q;
    }

    private static MemorySegment grow(long floats) {
        // Room to spare: prefill lengths vary from call to call.
        return Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, Math.max(floats + floats / 2, 1024));
    }
}
