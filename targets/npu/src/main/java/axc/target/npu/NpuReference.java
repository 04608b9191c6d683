package axc.target.npu;

import axc.interp.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What a lowered node's program computes, in Java, from the same weight image ({@link NpuMatmul},
 * {@link NpuSemantics}): per row, RMSNorm (when the node has one), per-token int8 quantization, exact
 * int32 products with each output channel's int8 codes, dequantization by the token's and the channel's
 * scales plus the bias, then the gate ({@code silu(g)·u}) and the residual. The simulator's output must
 * equal it bit for bit (NPU.md B5, whole programs); the split over engines and chunks does not enter.
 */
public final class NpuReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NpuReference() {
    }

    static Tensor run(NpuMatmul m, MemorySegment image, Tensor x, Tensor residual, float eps) {
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
                int cf = m.chunkFeatures(e, c), f0 = m.firstFeature(e) + c * m.chunk;
                long scales = blob + (long) parts * cf * k;
                for (int i = 0; i < cf; i++) {
                    for (int r = 0; r < rows; r++) {
                        float[] v = new float[parts];
                        for (int p = 0; p < parts; p++) {
                            long codes = blob + ((long) p * cf + i) * k;
                            int acc = 0;
                            for (int t = 0; t < k; t++) acc += q[r * k + t] * image.get(ValueLayout.JAVA_BYTE, codes + t);
                            float s = image.get(F, scales + 4L * (p * cf + i));
                            float d = ((float) acc * tokenScale[r]) * s;
                            if (m.bias) d = d + image.get(F, scales + 4L * parts * cf + 4L * i);
                            v[p] = d;
                        }
                        float out = m.swiglu ? NpuSemantics.silu(v[0]) * v[1] : v[0];
                        if (residual != null) out = out + residual.floats()[r * n + f0 + i];
                        y[r * n + f0 + i] = out;
                    }
                }
                blob += m.blobBytes(cf);
            }
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = n;
        return Tensor.f32(y, shape);
    }
}
