package axc.testkit;

import axc.formats.dtype.DType;
import axc.formats.dtype.FloatCodec;
import axc.formats.quant.Quantizer;
import axc.interp.StoredParams;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.WeightScheme;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random weights for every param of a graph, stored in the param's own scheme under the names
 * {@link StoredParams} reads: the interpreter and the target under test decode the very same bytes,
 * so a difference between them is the target's arithmetic, never quantization error.
 *
 * <p>Matrices: normal values scaled by 1/sqrt(cols), quantized with the reference quantizers (llama.cpp
 * block types) or drawn as codes directly (GPTQ: 4-bit codes, zero points 1..15, f16 scales and an
 * act-order {@code g_idx}; int8: codes in -127..127 and f32 row scales). Vectors (norm weights, biases):
 * values around 1 in the param's float type.
 */
public final class StoredWeights {
    private StoredWeights() {
    }

    public static MemoryTensors generate(Graph g, long seed) {
        MemoryTensors out = new MemoryTensors();
        SplittableRandom r = new SplittableRandom(seed);
        for (Node p : g.params()) {
            WeightScheme s = p.scheme();
            if (p.type().rank() == 1) {
                int n = (int) p.type().dim(0).size();
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.2 * gaussian(r));
                DType d = s instanceof WeightScheme.Stored st && st.dtype().isFloatStorage() ? st.dtype() : DType.F32;
                out.put(p.name(), d, new long[]{n}, Quantizer.quantize(d, v, 0, n));
                continue;
            }
            int rows = (int) p.type().dim(0).size();
            int cols = (int) p.type().dim(1).size();
            switch (s) {
                case WeightScheme.Stored st -> {
                    float[] w = new float[rows * cols];
                    for (int i = 0; i < w.length; i++) w[i] = (float) (gaussian(r) / Math.sqrt(cols));
                    out.put(p.name(), st.dtype(), new long[]{rows, cols}, Quantizer.quantize(st.dtype(), w, 0, w.length));
                }
                case WeightScheme.GptqInt4 gq -> gptq(out, StoredParams.base(p.name()), rows, cols, gq.groupSize(), r);
                case WeightScheme.Int8Channel i -> {
                    byte[] q = new byte[rows * cols];
                    for (int k = 0; k < q.length; k++) q[k] = (byte) (r.nextInt(255) - 127);
                    out.put(p.name(), DType.I8, new long[]{rows, cols}, q);
                    ByteBuffer sc = le(4L * rows);
                    for (int j = 0; j < rows; j++) sc.putFloat((float) ((0.5 + r.nextDouble()) / (127 * Math.sqrt(cols / 3.0))));
                    out.put(StoredParams.base(p.name()) + ".weight_scale", DType.F32, new long[]{rows}, sc.array());
                }
            }
        }
        return out;
    }

    private static void gptq(MemoryTensors out, String base, int rows, int cols, int group, SplittableRandom r) {
        int groups = cols / group;
        ByteBuffer qw = le(4L * (cols / 8) * rows);
        for (int p = 0; p < cols / 8; p++) {
            for (int j = 0; j < rows; j++) {
                int word = 0;
                for (int k = 0; k < 8; k++) word |= r.nextInt(16) << (4 * k);
                qw.putInt(word);
            }
        }
        ByteBuffer qz = le(4L * groups * (rows / 8));
        for (int gi = 0; gi < groups; gi++) {
            for (int k = 0; k < rows / 8; k++) {
                int word = 0;
                for (int i = 0; i < 8; i++) word |= r.nextInt(15) << (4 * i); // zero - 1, so zero points are 1..15
                qz.putInt(word);
            }
        }
        ByteBuffer sc = le(2L * groups * rows);
        for (int k = 0; k < groups * rows; k++) sc.putShort(FloatCodec.floatToF16((float) ((0.5 + r.nextDouble()) / (8 * Math.sqrt(cols / 3.0)))));
        List<Integer> gIdx = new ArrayList<>();
        for (int i = 0; i < cols; i++) gIdx.add(i / group);
        Collections.shuffle(gIdx, new java.util.Random(r.nextLong()));
        ByteBuffer gi = le(4L * cols);
        for (int v : gIdx) gi.putInt(v);
        out.put(base + ".qweight", DType.I32, new long[]{cols / 8, rows}, qw.array());
        out.put(base + ".qzeros", DType.I32, new long[]{groups, rows / 8}, qz.array());
        out.put(base + ".scales", DType.F16, new long[]{groups, rows}, sc.array());
        out.put(base + ".g_idx", DType.I32, new long[]{cols}, gi.array());
    }

    private static ByteBuffer le(long n) {
        return ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
