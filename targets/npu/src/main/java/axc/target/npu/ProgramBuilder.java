package axc.target.npu;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes RNPU-A program files (NPU.md B2; the layout {@code npu_isa.hpp} reads): 64-byte little-endian
 * records per queue, a symbol table, the device hash. What the lowering emits; tests use it directly.
 */
public final class ProgramBuilder {
    public static final int DMA = 1, GEMM = 2, VOP = 3, SREG = 4, SYNC = 5;
    public static final int DRAM = 0, SHM = 1, SPM = 2;
    public static final int I8I8 = 0, I8I4 = 1, F16F16 = 2;
    public static final int ADD = 0, MUL = 1, CAST = 2, DEQUANT = 3, QUANT = 4, RMSNORM = 5, ROPE = 6, SOFTMAX = 7, SILU_MUL = 8,
            REDUCE = 9, COPY = 10, REQUANT = 11;
    /** Softmax flags (npu_isa.hpp SoftmaxFlags): scale by f first; valid count plus R[aux]; plus the row's index. */
    public static final int SOFTMAX_SCALED = 4, SOFTMAX_REG_VALID = 8, SOFTMAX_CAUSAL = 16;
    public static final int NO_SEM = 0xFFFF;
    public static final int NDMA_IN = 0, NDMA_OUT = 1, TU = 2, VU = 3, SC = 4;

    private final Map<Integer, List<ByteBuffer>> queues = new TreeMap<>();
    private final List<Object[]> symbols = new ArrayList<>();
    private long deviceHash;

    public static long address(int space, int engine, long offset) {
        if (offset < 0 || offset >= (1L << 48)) throw new IllegalArgumentException("offset " + offset);
        return ((long) space << 60) | ((long) (engine & 0xFF) << 52) | offset;
    }

    /** Queue id of engine {@code e}'s queue {@code kind}. */
    public static int queue(int engine, int kind) {
        return engine * 5 + kind;
    }

    public ProgramBuilder deviceHash(long h) {
        this.deviceHash = h;
        return this;
    }

    public ProgramBuilder symbol(String name, long address, long bytes) {
        if (name.getBytes(StandardCharsets.UTF_8).length > 32) throw new IllegalArgumentException("symbol names have at most 32 bytes: " + name);
        symbols.add(new Object[]{name, address, bytes});
        return this;
    }

    /** A record with its header; the caller fills operands at their byte offsets (16..63). */
    public ByteBuffer record(int queue, int op, int subop, int flags, int waitSem, long waitValue, int signalSem, int tag) {
        ByteBuffer r = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        r.put(0, (byte) op).put(1, (byte) subop).put(2, (byte) flags).put(3, (byte) queue);
        r.putInt(4, tag).putShort(8, (short) waitSem).putShort(10, (short) signalSem).putInt(12, (int) waitValue);
        queues.computeIfAbsent(queue, q -> new ArrayList<>()).add(r);
        return r;
    }

    public ByteBuffer dma(int queue, long src, long dst, int runBytes, int runs, int srcStride, int dstStride, int byteClass) {
        ByteBuffer r = record(queue, DMA, byteClass, 0, NO_SEM, 0, NO_SEM, 0);
        r.putLong(16, src).putLong(24, dst).putShort(32, (short) runBytes).putShort(34, (short) runs).putShort(36, (short) 1);
        r.putInt(38, srcStride).putInt(46, dstStride).put(54, (byte) 0xFF);
        return r;
    }

    /** Offsets a DMA's source (or, with {@code dst}, its destination) by {@code R[reg] · stride} bytes. */
    public static ByteBuffer register(ByteBuffer dma, int reg, int stride, boolean dst) {
        dma.put(54, (byte) reg).putInt(56, stride);
        if (dst) dma.put(2, (byte) (dma.get(2) | 1));
        return dma;
    }

    /** Makes a DMA 3-D: its runs repeated {@code count} times, {@code srcStride} and {@code dstStride} bytes apart. */
    public static ByteBuffer outer(ByteBuffer dma, int count, int srcStride, int dstStride) {
        return dma.putShort(36, (short) count).putInt(42, srcStride).putInt(50, dstStride);
    }

    public ByteBuffer gemm(int queue, int mode, long a, long b, long c, int m, int n, int k, boolean accumulate, boolean transposeB) {
        ByteBuffer r = record(queue, GEMM, mode, (accumulate ? 1 : 0) | (transposeB ? 2 : 0), NO_SEM, 0, NO_SEM, 0);
        r.putLong(16, a).putLong(24, b).putLong(32, c).putShort(40, (short) m).putShort(42, (short) n).putShort(44, (short) k);
        return r;
    }

    public ByteBuffer vop(int queue, int sub, long a, long b, long d, int n, int rows, float f, long aux, int i, int flags) {
        ByteBuffer r = record(queue, VOP, sub, flags, NO_SEM, 0, NO_SEM, 0);
        r.putLong(16, a).putLong(24, b).putLong(32, d).putInt(40, n).putInt(44, rows).putFloat(48, f).putLong(52, aux).putInt(60, i);
        return r;
    }

    /** Sets a record's wait and signal (after the operand helpers, which leave none). */
    public static ByteBuffer sync(ByteBuffer r, int waitSem, long waitValue, int signalSem) {
        return r.putShort(8, (short) waitSem).putInt(12, (int) waitValue).putShort(10, (short) signalSem);
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RNPU".getBytes(StandardCharsets.US_ASCII)).putInt(1).putLong(deviceHash).putInt(symbols.size()).putInt(queues.size());
        out.writeBytes(h.array());
        for (Object[] s : symbols) {
            ByteBuffer e = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
            byte[] name = ((String) s[0]).getBytes(StandardCharsets.UTF_8);
            e.put(name).position(32);
            e.putLong((Long) s[1]).putLong((Long) s[2]);
            out.writeBytes(e.array());
        }
        for (var q : queues.entrySet()) {
            ByteBuffer sh = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(q.getKey()).putInt(q.getValue().size());
            out.writeBytes(sh.array());
            for (ByteBuffer r : q.getValue()) out.writeBytes(r.array());
        }
        return out.toByteArray();
    }
}
