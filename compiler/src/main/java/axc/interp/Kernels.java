package axc.interp;

import axc.reference.DecoderMath;
import axc.reference.Matrix;

import java.util.List;

/**
 * The interpreter's op implementations. Each mirrors {@link axc.reference.ReferenceModel}'s arithmetic
 * step for step (float32 values, float64 sums, the same casts), which is what makes the interpreter
 * agree with it bit for bit; do not reorder operations here.
 */
final class Kernels {
    private Kernels() {
    }

    static Tensor embedding(Matrix table, Tensor ids) {
        int h = table.cols();
        int n = ids.ints().length;
        float[] out = new float[n * h];
        float[] row = new float[h];
        for (int r = 0; r < n; r++) {
            int token = ids.ints()[r];
            if (token < 0 || token >= table.rows()) throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + table.rows());
            table.row(token, row);
            System.arraycopy(row, 0, out, r * h, h);
        }
        int[] shape = new int[ids.rank() + 1];
        System.arraycopy(ids.shape(), 0, shape, 0, ids.rank());
        shape[ids.rank()] = h;
        return Tensor.f32(out, shape);
    }

    static Tensor rmsNorm(Tensor x, float[] w, double eps, OpKernels k) {
        float[] out = new float[x.floats().length];
        k.rmsNorm(x.floats(), x.rows(), x.width(), w, out, eps);
        return Tensor.f32(out, x.shape());
    }

    /** RMSNorm of {@code x[off, off+n)} into {@code out[outOff, ...)}, as transformers computes it in float32. */
    static void rmsNorm(float[] x, int off, int n, float[] weight, float[] out, int outOff, double eps) {
        DecoderMath.rmsNorm(x, off, n, weight, out, outOff, eps);
    }

    static Tensor headRmsNorm(Tensor x, float[] w, int heads, int headDim, double eps) {
        float[] out = new float[x.floats().length];
        int width = x.width();
        for (int r = 0; r < x.rows(); r++) {
            for (int h = 0; h < heads; h++) rmsNorm(x.floats(), r * width + h * headDim, headDim, w, out, r * width + h * headDim, eps);
        }
        return Tensor.f32(out, x.shape());
    }

    /** Each row times the weight (transposed): {@link Matrix#matmul}. */
    static Tensor matmul(Tensor x, Matrix w) {
        int n = w.rows();
        float[] out = new float[x.rows() * n];
        w.matmul(x.floats(), x.rows(), out, n, 0);
        return Tensor.f32(out, x.shapeWithWidth(n));
    }

    static Tensor biasAdd(Tensor x, List<float[]> biases) {
        int n = x.width();
        float[] b = new float[n];
        int at = 0;
        for (float[] part : biases) {
            System.arraycopy(part, 0, b, at, part.length);
            at += part.length;
        }
        float[] out = x.floats().clone();
        for (int r = 0; r < x.rows(); r++) for (int i = 0; i < n; i++) out[r * n + i] += b[i];
        return Tensor.f32(out, x.shape());
    }

    static Tensor add(Tensor a, Tensor b) {
        float[] out = a.floats().clone();
        for (int i = 0; i < out.length; i++) out[i] += b.floats()[i];
        return Tensor.f32(out, a.shape());
    }

    static Tensor mul(Tensor a, Tensor b) {
        float[] out = new float[a.floats().length];
        for (int i = 0; i < out.length; i++) out[i] = a.floats()[i] * b.floats()[i];
        return Tensor.f32(out, a.shape());
    }

    static float silu(float x) {
        return DecoderMath.silu(x);
    }

    static Tensor silu(Tensor x) {
        float[] out = new float[x.floats().length];
        for (int i = 0; i < out.length; i++) out[i] = silu(x.floats()[i]);
        return Tensor.f32(out, x.shape());
    }

    static Tensor swiglu(Tensor gate, Tensor up, OpKernels k) {
        float[] out = new float[gate.floats().length];
        k.swiglu(gate.floats(), up.floats(), out, out.length);
        return Tensor.f32(out, gate.shape());
    }

    /** Rotate-half rotary embedding; inverse frequencies in float32 as transformers computes them. */
    static Tensor rope(Tensor x, Tensor positions, int heads, int headDim, double theta) {
        double[] invFreq = DecoderMath.invFreq(theta, headDim);
        float[] v = x.floats().clone();
        int width = x.width();
        for (int r = 0; r < x.rows(); r++) DecoderMath.rope(v, r * width, heads, headDim, positions.ints()[r], invFreq);
        return Tensor.f32(v, x.shape());
    }

    /**
     * Writes every row's k and v at its position into the slot, then attends each row's query over
     * positions 0..pos (causal), grouped-query: query head h reads kv head h / (heads / kvHeads).
     */
    static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor positions, int heads, int kvHeads, int d, int layer, KvState state, OpKernels math) {
        int kvDim = kvHeads * d;
        float[][] slot = state.slot(layer, kvDim);
        float[] keys = slot[0];
        float[] values = slot[1];
        int rows = q.rows();
        for (int r = 0; r < rows; r++) {
            int pos = positions.ints()[r];
            state.written(layer, pos);
            System.arraycopy(k.floats(), r * kvDim, keys, pos * kvDim, kvDim);
            System.arraycopy(v.floats(), r * kvDim, values, pos * kvDim, kvDim);
        }
        int qDim = heads * d;
        float[] out = new float[rows * qDim];
        math.attention(q.floats(), rows, positions.ints(), keys, values, kvDim, heads, kvHeads, d, out);
        return Tensor.f32(out, q.shape());
    }

    static Tensor slice(Tensor x, int start, int size) {
        int n = x.width();
        float[] out = new float[x.rows() * size];
        for (int r = 0; r < x.rows(); r++) System.arraycopy(x.floats(), r * n + start, out, r * size, size);
        return Tensor.f32(out, x.shapeWithWidth(size));
    }
}
