package axc.target.cuda;

import axc.bundle.BundleTensors;
import axc.formats.dtype.DType;
import axc.formats.io.SegmentIo;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * The cuda target's weight layout, {@value #ROWS}: a Q8_0 or Q4_0 matrix of N rows of K as the codes
 * of every row ({@code K} bytes a row for Q8_0, {@code K/2} for Q4_0, Q4_0's bytes as in GGUF), then
 * the f16 scales of every row ({@code K/32} a row). Each row's codes start on a 16-byte boundary, so
 * a warp reads them with aligned 16-byte loads, and scales no longer sit between codes. The size is
 * that of the GGUF blocks, so the artifact index's sizes hold. Other tensors keep their stored bytes.
 */
final class CudaLayouts {
    static final String ROWS = "cuda-rows-v1";
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CudaLayouts() {
    }

    /** Whether {@code t} is packed: Q8_0 and Q4_0 matrices. */
    static boolean packs(DType dtype, long[] shape) {
        return (dtype == DType.Q8_0 || dtype == DType.Q4_0) && shape.length == 2 && shape[1] % 32 == 0;
    }

    static BundleTensors.Layout layout(TensorInfo t, TensorStore store) {
        if (!packs(t.dtype(), t.shape())) return null;
        return new BundleTensors.Layout(ROWS, ch -> pack(t.dtype(), t.dim(0), t.dim(1), store.data(t.name()), ch));
    }

    /** Bytes of codes per row. */
    static long codeBytes(DType dtype, long cols) {
        return dtype == DType.Q8_0 ? cols : cols / 2;
    }

    /** Streams the packed form of {@code rows} rows of {@code cols} GGUF blocks from {@code src}: a bounded buffer, two passes. */
    static void pack(DType dtype, long rows, long cols, MemorySegment src, WritableByteChannel out) throws IOException {
        int blockBytes = dtype.blockBytes();
        long blocks = cols / 32;
        long rowBytes = blocks * blockBytes;
        int codesPerBlock = blockBytes - 2;
        int step = (int) Math.max(1, Math.min(rows, (4L << 20) / rowBytes));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(rowBytes * step);
            for (long r0 = 0; r0 < rows; r0 += step) {
                int n = (int) Math.min(step, rows - r0);
                long at = 0;
                for (long b = 0; b < n * blocks; b++) {
                    MemorySegment.copy(src, (r0 * blocks + b) * blockBytes + 2, buf, at, codesPerBlock);
                    at += codesPerBlock;
                }
                SegmentIo.write(out, buf.asSlice(0, at));
            }
            for (long r0 = 0; r0 < rows; r0 += step) {
                int n = (int) Math.min(step, rows - r0);
                long at = 0;
                for (long b = 0; b < n * blocks; b++) {
                    buf.set(LE_SHORT, at, src.get(LE_SHORT, (r0 * blocks + b) * blockBytes));
                    at += 2;
                }
                SegmentIo.write(out, buf.asSlice(0, at));
            }
        }
    }

    /** Row {@code r} of a packed matrix as floats, decoded as the kernels decode it (the tests' mirror of {@code chunk_dot}). */
    static void dequantizeRow(DType dtype, MemorySegment packed, long rows, long cols, long r, float[] out) {
        long codes = codeBytes(dtype, cols);
        long scales = rows * codes;
        for (int b = 0; b < cols / 32; b++) {
            float d = Float.float16ToFloat(packed.get(LE_SHORT, scales + 2 * (r * (cols / 32) + b)));
            for (int j = 0; j < 32; j++) {
                float v;
                if (dtype == DType.Q8_0) {
                    v = d * packed.get(ValueLayout.JAVA_BYTE, r * codes + 32L * b + j);
                } else {
                    int byt = packed.get(ValueLayout.JAVA_BYTE, r * codes + 16L * b + (j % 16)) & 0xFF;
                    v = d * ((j < 16 ? byt & 15 : byt >> 4) - 8);
                }
                out[32 * b + j] = v;
            }
        }
    }
}
