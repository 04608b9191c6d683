package axc.interp;

import axc.reference.DecoderMath;
import axc.reference.Matrix;


/**
 * The interpreter's op implementations. Each mirrors {@link axc.reference.ReferenceModel}'s arithmetic
 * step for step (float32 values, float64 sums, the same casts), which is what makes the interpreter
 * agree with it bit for bit; do not reorder operations here.
 */
final class Kernels {
    private Kernels() {
    }

    static Tensor embedding(Matrix table, Tensor ids, FloatArrays a) {
        int h = table.cols();
        int n = ids.ints().length;
        float[] out = a.take(n * h);
        float[] row = a.take(h);
        for (int r = 0; r < n; r++) {
            int token = ids.ints()[r];
            if (token < 0 || token >= table.rows()) throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + table.rows());
            table.row(token, row);
            System.arraycopy(row, 0, out, r * h, h);
        }
        a.give(row);
        int[] shape = new int[ids.rank() + 1];
        System.arraycopy(ids.shape(), 0, shape, 0, ids.rank());
        shape[ids.rank()] = h;
        return Tensor.f32(out, shape);
    }

    static Tensor rmsNorm(Tensor x, float[] w, double eps, OpKernels k, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        k.rmsNorm(x.floats(), x.rows(), x.width(), w, out, eps);
        return Tensor.f32(out, x.shape());
    }

    /** RMSNorm of {@code x[off, off+n)} into {@code out[outOff, ...)}, as transformers computes it in float32. */
    static void rmsNorm(float[] x, int off, int n, float[] weight, float[] out, int outOff, double eps) {
        DecoderMath.rmsNorm(x, off, n, weight, out, outOff, eps);
    }

    static Tensor headRmsNorm(Tensor x, float[] w, int heads, int headDim, double eps, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        int width = x.width();
        for (int r = 0; r < x.rows(); r++) {
            for (int h = 0; h < heads; h++) rmsNorm(x.floats(), r * width + h * headDim, headDim, w, out, r * width + h * headDim, eps);
        }
        return Tensor.f32(out, x.shape());
    }

    /** Each row times the weight (transposed): {@link Matrix#matmul}. */
    static Tensor matmul(Tensor x, Matrix w, FloatArrays a) {
        int n = w.rows();
        float[] out = a.take(x.rows() * n);
        w.matmul(x.floats(), x.rows(), out, n, 0);
        return Tensor.f32(out, x.shapeWithWidth(n));
    }

    static Tensor biasAdd(Tensor x, float[][] biases, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        System.arraycopy(x.floats(), 0, out, 0, out.length);
        Tensor t = Tensor.f32(out, x.shape());
        biasAddInPlace(t, biases);
        return t;
    }

    /** Adds the biases, side by side along the width, to every row of {@code x}, in place. */
    static void biasAddInPlace(Tensor x, float[][] biases) {
        int n = x.width();
        float[] out = x.floats();
        for (int r = 0; r < x.rows(); r++) {
            int at = r * n;
            for (float[] b : biases) {
                for (int i = 0; i < b.length; i++) out[at + i] += b[i];
                at += b.length;
            }
        }
    }

    static Tensor add(Tensor x, Tensor y, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        float[] xs = x.floats(), ys = y.floats();
        for (int i = 0; i < out.length; i++) out[i] = xs[i] + ys[i];
        return Tensor.f32(out, x.shape());
    }

    /** {@code y = x + y}, in place in {@code y} (float addition commutes exactly: the same sums as {@link #add}). */
    static void addInPlace(Tensor x, Tensor y) {
        float[] xs = x.floats(), ys = y.floats();
        for (int i = 0; i < ys.length; i++) ys[i] = xs[i] + ys[i];
    }

    static Tensor mul(Tensor x, Tensor y, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        for (int i = 0; i < out.length; i++) out[i] = x.floats()[i] * y.floats()[i];
        return Tensor.f32(out, x.shape());
    }

    static float silu(float x) {
        return DecoderMath.silu(x);
    }

    static Tensor silu(Tensor x, FloatArrays a) {
        float[] out = a.take(x.floats().length);
        for (int i = 0; i < out.length; i++) out[i] = silu(x.floats()[i]);
        return Tensor.f32(out, x.shape());
    }

    static Tensor swiglu(Tensor gate, Tensor up, OpKernels k, FloatArrays a) {
        float[] out = a.take(gate.floats().length);
        k.swiglu(gate.floats(), up.floats(), out, out.length);
        return Tensor.f32(out, gate.shape());
    }

    /** SwiGLU of the two halves of each row of {@code x}: gate {@code [0, gate)}, up the rest. */
    static Tensor swiglu(Tensor x, int gate, OpKernels k, FloatArrays a) {
        int up = x.width() - gate;
        Tensor g = slice(x, 0, gate, a);
        Tensor u = slice(x, gate, up, a);
        Tensor out = swiglu(g, u, k, a);
        a.give(g.floats());
        a.give(u.floats());
        return out;
    }

    static Tensor rope(Tensor x, Tensor positions, int heads, int headDim, double theta, FloatArrays a) {
        float[] v = a.take(x.floats().length);
        System.arraycopy(x.floats(), 0, v, 0, v.length);
        Tensor t = Tensor.f32(v, x.shape());
        ropeInPlace(t, positions, heads, headDim, theta);
        return t;
    }

    /** Rotate-half rotary embedding, in place; inverse frequencies in float32 as transformers computes them. */
    static void ropeInPlace(Tensor x, Tensor positions, int heads, int headDim, double theta) {
        double[] invFreq = DecoderMath.invFreq(theta, headDim);
        float[] v = x.floats();
        int width = x.width();
        for (int r = 0; r < x.rows(); r++) DecoderMath.rope(v, r * width, heads, headDim, positions.ints()[r], invFreq);
    }

    /**
     * Writes every row's k and v at its position into the slot, then attends each row's query over
     * positions 0..pos (causal), grouped-query: query head h reads kv head h / (heads / kvHeads).
     */
    static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor positions, int heads, int kvHeads, int d, int layer, KvState state, OpKernels math, FloatArrays a) {
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
        float[] out = a.take(rows * qDim);
        math.attention(q.floats(), rows, positions.ints(), keys, values, kvDim, heads, kvHeads, d, out);
        return Tensor.f32(out, q.shape());
    }

    static Tensor slice(Tensor x, int start, int size, FloatArrays a) {
        int n = x.width();
        float[] out = a.take(x.rows() * size);
        for (int r = 0; r < x.rows(); r++) System.arraycopy(x.floats(), r * n + start, out, r * size, size);
        return Tensor.f32(out, x.shapeWithWidth(size));
    }
}
