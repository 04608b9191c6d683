package axc.target.npu;

import axc.interp.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What a lowered node's program computes, in Java, from the same weight image ({@link NpuMatmul},
 * {@link NpuSemantics}): per row, RMSNorm (when the node has one), per-token int8 quantization, exact
 * int32 products with each output channel's int8 codes, dequantization by the token's and the channel's
 * scales plus the bias, then the gate ({@code silu(g)·u}), RoPE and the residual. The simulator's output must
 * equal it bit for bit (NPU.md B5, whole programs); the split over engines and chunks does not enter.
 */
public final class NpuReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NpuReference() {
    }

    /** Weight code {@code t} of a channel: an int8, or a signed nibble (low nibble = even t) for W4A8. */
    private static int code(MemorySegment image, long codes, int t, boolean int4) {
        if (!int4) return image.get(ValueLayout.JAVA_BYTE, codes + t);
        int b = image.get(ValueLayout.JAVA_BYTE, codes + t / 2) & 0xFF;
        int v = t % 2 == 0 ? b & 15 : b >> 4;
        return (v ^ 8) - 8;
    }

    static Tensor run(NpuMatmul m, MemorySegment image, Tensor x, Tensor residual, Tensor positions, float eps) {
        int rows = x.rows(), k = m.k, n = m.n;
        float[] in = x.floats();
        if (m.norm) {
            float[] g = new float[k];
            long at = m.dramBase + m.imageBytes();
            for (int i = 0; i < k; i++) g[i] = image.get(F, at + 4L * i);
            in = NpuSemantics.rmsnorm(in, k, rows, g, eps);
        }
        float[] tokenScale = new float[rows];
        byte[] q = NpuSemantics.quant(in, k, rows, tokenScale);
        float[] y = new float[rows * n];
        long blob = m.dramBase;
        int parts = m.swiglu ? 2 : 1;
        for (int e = 0; e < m.engines; e++) {
            for (int c = 0; c < m.chunks(e); c++) {
                int cf = m.chunkFeatures(e, c), f0 = m.chunkStart(e, c);
                long scales = blob + (long) parts * cf * m.codeBytes;
                for (int i = 0; i < cf; i++) {
                    for (int r = 0; r < rows; r++) {
                        float[] v = new float[parts];
                        for (int p = 0; p < parts; p++) {
                            long codes = blob + ((long) p * cf + i) * m.codeBytes;
                            int acc = 0;
                            for (int t = 0; t < k; t++) acc += q[r * k + t] * code(image, codes, t, m.int4);
                            float s = image.get(F, scales + 4L * (p * cf + i));
                            float d = ((float) acc * tokenScale[r]) * s;
                            if (m.bias) d = d + image.get(F, scales + 4L * parts * cf + 4L * i);
                            v[p] = d;
                        }
                        y[r * n + f0 + i] = m.swiglu ? NpuSemantics.silu(v[0]) * v[1] : v[0];
                    }
                }
                blob += m.blobBytes(cf);
            }
        }
        if (m.rope != null) {
            int d = m.rope.headDim(), half = d / 2, rot = m.rope.heads() * d;
            float[] t = NpuGraphExecutable.ropeTable(positions.ints(), 0, rows, rows, m.rope);
            float[] cos = java.util.Arrays.copyOfRange(t, 0, rows * half), sin = java.util.Arrays.copyOfRange(t, rows * half, 2 * rows * half);
            for (int r = 0; r < rows; r++) {
                float[] head = java.util.Arrays.copyOfRange(y, r * n, r * n + rot);
                float[] turned = NpuSemantics.rope(head, rot, 1, d, java.util.Arrays.copyOfRange(cos, r * half, (r + 1) * half),
                        java.util.Arrays.copyOfRange(sin, r * half, (r + 1) * half));
                System.arraycopy(turned, 0, y, r * n, rot);
            }
        }
        if (residual != null) for (int i = 0; i < y.length; i++) y[i] = y[i] + residual.floats()[i];
        int[] shape = x.shape();
        shape[shape.length - 1] = n;
        return Tensor.f32(y, shape);
    }
}
