package axc.target.npu;

import axc.formats.io.SegmentIo;
import axc.interp.ParamSource;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.target.Support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

import static axc.target.npu.ProgramBuilder.DRAM;
import static axc.target.npu.ProgramBuilder.NO_SEM;
import static axc.target.npu.ProgramBuilder.SPM;
import static axc.target.npu.ProgramBuilder.address;
import static axc.target.npu.ProgramBuilder.queue;

/**
 * A standalone {@code rms_norm} on the NPU: one a matmul cannot take into its own program, which is
 * where a quantized checkpoint's norms stay (their weights cannot absorb the norm's). The norm weight
 * (float32) sits in DRAM at {@link #dramBase}; each engine takes a share of the rows: the weight and
 * its rows into the scratchpad, the VOP {@code rmsnorm} in place, the rows out to {@code y}.
 */
final class NpuNorm {
    final Node node;
    final int k, engines;
    final float eps;
    /** The norm weight's param (null when built from the node alone, to ask about support). */
    final String weightName;
    long dramBase;

    NpuNorm(Graph g, Node n, int engines, long spmBytes) {
        this.node = n;
        this.k = (int) NpuMatmul.fixed(n.type().last());
        this.engines = engines;
        this.eps = (float) n.attrs().getDouble("eps");
        if (spm(NpuMatmul.CHUNK_ROWS) > spmBytes) throw new IllegalArgumentException("rows of " + k + " do not fit the scratchpad");
        if (g != null && g.node(n.input(1)).op() != Op.PARAM) throw new IllegalArgumentException("the norm weight " + g.node(n.input(1)).ref() + " is computed, not a param");
        this.weightName = g == null ? null : g.node(n.input(1)).name();
    }

    static Support support(Graph g, Node n, int engines, long spmBytes) {
        try {
            new NpuNorm(g, n, engines, spmBytes);
            return Support.yes();
        } catch (IllegalArgumentException e) {
            return Support.no("rms_norm: " + e.getMessage());
        }
    }

    long imageBytes() {
        return 4L * k;
    }

    /** Rows of engine {@code e} in a program of {@code rows}: {@code [from, to)}. */
    int[] share(int e, int rows) {
        int per = (rows + engines - 1) / engines, from = Math.min(rows, e * per);
        return new int[]{from, Math.min(rows, from + per)};
    }

    /** Scratchpad bytes: the weight, then the engine's rows. */
    long spm(int rows) {
        return spm(k, rows, engines);
    }

    /** Scratchpad bytes of a norm over rows of {@code k} on {@code engines} engines. */
    static long spm(int k, int rows, int engines) {
        int per = (rows + engines - 1) / engines;
        return weightSlot(k) + 4L * per * k;
    }

    /** Scratchpad bytes of the weight at the start, padded to 64: where the rows begin. */
    private static long weightSlot(int k) {
        return (4L * k + 63) & ~63L;
    }

    byte[] emit(int rows, long xAt, long yAt, long deviceHash) {
        ProgramBuilder b = new ProgramBuilder().deviceHash(deviceHash);
        b.symbol("x", address(DRAM, 0, xAt), 4L * rows * k);
        b.symbol("y", address(DRAM, 0, yAt), 4L * rows * k);
        long gAt = 0, xsAt = weightSlot(k);
        for (int e = 0; e < engines; e++) {
            int[] sh = share(e, rows);
            int n = sh[1] - sh[0];
            if (n == 0) continue;
            int in = queue(e, ProgramBuilder.NDMA_IN), out = queue(e, ProgramBuilder.NDMA_OUT), vu = queue(e, ProgramBuilder.VU);
            ByteBuffer w = NpuProgram.copy(b, in, address(DRAM, 0, dramBase), address(SPM, e, gAt), 4L * k, 1);
            ByteBuffer x = NpuProgram.copy(b, out, address(DRAM, 0, xAt + 4L * sh[0] * k), address(SPM, e, xsAt), 4L * n * k, 3);
            ProgramBuilder.sync(w, NO_SEM, 0, e);
            ProgramBuilder.sync(x, NO_SEM, 0, e);
            ProgramBuilder.sync(b.vop(vu, ProgramBuilder.RMSNORM, address(SPM, e, xsAt), address(SPM, e, gAt), address(SPM, e, xsAt), k, n, eps, 0, 0, 0), e, 2, e);
            ProgramBuilder.sync(NpuProgram.copy(b, out, address(SPM, e, xsAt), address(DRAM, 0, yAt + 4L * sh[0] * k), 4L * n * k, 3), e, 3, NO_SEM);
        }
        return b.bytes();
    }

    void writeImage(ParamSource params, WritableByteChannel out) throws IOException {
        float[] g = params.vector(weightName);
        ByteBuffer bb = ByteBuffer.allocate(4 * k).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < k; i++) bb.putFloat(g[i]);
        SegmentIo.write(out, bb.flip());
    }
}
