package axc.target.cpu;

import axc.interp.OpKernels;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The cpu target's attention and SwiGLU, in float32 vector lanes on the {@link RowPool}.
 *
 * <p>Attention: (query row, head) pairs spread over the pool; scores are dot products of the query head with each cached key, a max-subtracted
 * softmax, then the weighted sum of cached values accumulated along the head dimension (contiguous
 * in the cache). The reference sums in float64; float32 sums differ from it by rounding only.
 * Score buffers are per worker and grown, not allocated per call.
 *
 * <p>SwiGLU: the vector exponential (within an ulp or two of the reference's float64 one), rows of a
 * prefill split over the pool. RMSNorm: the sum of squares in float32 lanes (the reference sums in
 * float64), rows split over the pool.
 */
final class CpuOpKernels implements OpKernels {
    private final RowPool pool;
    private final float[][] scores;
    private final RowPool.Job job = this::compute;
    private final RowPool.Job swigluJob = this::swigluRange;
    private final RowPool.Job normJob = this::normRows;
    private float[] x;
    private float[] weight;
    private int width;
    private double eps;
    private float[] gate;
    private float[] up;
    private int n;
    private float[] q;
    private int[] positions;
    private float[] keys;
    private float[] values;
    private int kvDim;
    private int heads;
    private int group;
    private int d;
    private float[] out;
    /** Keys transposed for a prefill ([kv head][dim][position]); null for a decode step. */
    private float[] keysT;
    private int span;
    private float[] keysTBuffer = new float[0];

    CpuOpKernels(RowPool pool) {
        this.pool = pool;
        this.scores = new float[pool.threads()][];
    }

    @Override
    public synchronized void attention(float[] q, int rows, int[] positions, float[] keys, float[] values, int kvDim, int heads, int kvHeads, int d, float[] out) {
        this.q = q;
        this.positions = positions;
        this.keys = keys;
        this.values = values;
        this.kvDim = kvDim;
        this.heads = heads;
        this.group = heads / kvHeads;
        this.d = d;
        this.out = out;
        this.keysT = null;
        if (rows > 1) {
            // A prefill scores every cached key against many query rows: with the keys transposed, the
            // scores of a run of positions are one vector each, with no horizontal sum per position.
            int len = 0;
            for (int r = 0; r < rows; r++) len = Math.max(len, positions[r] + 1);
            span = (len + Lanes.LENGTH - 1) / Lanes.LENGTH * Lanes.LENGTH;
            int need = kvDim * span;
            if (keysTBuffer.length < need) keysTBuffer = new float[need];
            float[] kt = keysTBuffer;
            for (int t = 0; t < len; t++) for (int c = 0; c < kvDim; c++) kt[c * span + t] = keys[t * kvDim + c];
            for (int c = 0; c < kvDim; c++) java.util.Arrays.fill(kt, c * span + len, c * span + span, 0f);
            keysT = kt;
        }
        try {
            // Decode steps have one row: a head is too little work to hand over, so they stay here.
            pool.run(job, rows * heads, rows == 1 ? heads : 1);
        } finally {
            this.q = null;
            this.keys = null;
            this.values = null;
            this.out = null;
            this.keysT = null;
        }
    }

    @Override
    public synchronized void swiglu(float[] gate, float[] up, float[] out, int n) {
        this.gate = gate;
        this.up = up;
        this.out = out;
        this.n = n;
        try {
            // Units of 1024 elements; a decode step's few thousand stay on the caller.
            pool.run(swigluJob, (n + 1023) / 1024, 16);
        } finally {
            this.gate = null;
            this.up = null;
            this.out = null;
        }
    }

    @Override
    public synchronized void rmsNorm(float[] x, int rows, int n, float[] weight, float[] out, double eps) {
        this.x = x;
        this.weight = weight;
        this.out = out;
        this.width = n;
        this.eps = eps;
        try {
            // A decode step's one row stays on the caller.
            pool.run(normJob, rows, Math.max(1, 16384 / Math.max(1, n)));
        } finally {
            this.x = null;
            this.weight = null;
            this.out = null;
        }
    }

    private void normRows(int from, int to, int worker) {
        int l = Lanes.LENGTH;
        int n = width;
        for (int r = from; r < to; r++) {
            int off = r * n;
            FloatVector acc = FloatVector.zero(Lanes.F);
            int i = 0;
            for (; i + l <= n; i += l) {
                FloatVector v = FloatVector.fromArray(Lanes.F, x, off + i);
                acc = v.fma(v, acc);
            }
            double ss = Lanes.sum(acc);
            for (; i < n; i++) ss += (double) x[off + i] * x[off + i];
            float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
            i = 0;
            for (; i + l <= n; i += l) {
                FloatVector.fromArray(Lanes.F, x, off + i).mul(inv).mul(FloatVector.fromArray(Lanes.F, weight, i)).intoArray(out, off + i);
            }
            for (; i < n; i++) out[off + i] = weight[i] * (x[off + i] * inv);
        }
    }

    private void swigluRange(int from, int to, int worker) {
        int end = Math.min(n, to * 1024);
        int l = Lanes.LENGTH;
        int i = from * 1024;
        for (; i + l <= end; i += l) {
            FloatVector g = FloatVector.fromArray(Lanes.F, gate, i);
            FloatVector silu = g.div(FloatExp.exp(g.neg()).add(1f));
            silu.mul(FloatVector.fromArray(Lanes.F, up, i)).intoArray(out, i);
        }
        // The same operations as the lanes, so an element's value does not depend on where it falls.
        for (; i < end; i++) out[i] = gate[i] / (FloatExp.exp(-gate[i]) + 1f) * up[i];
    }

    private void compute(int from, int to, int worker) {
        for (int u = from; u < to; u++) head(u / heads, u % heads, worker);
    }

    private void head(int r, int h, int worker) {
        int len = positions[r] + 1;
        float[] s = scores[worker];
        if (s == null || s.length < len) s = scores[worker] = new float[Math.max(len, 256) * 2];
        int qo = (r * heads + h) * d;
        int kvo = (h / group) * d;
        float scale = (float) (1.0 / Math.sqrt(d));
        int l = Lanes.LENGTH;
        if (keysT != null) {
            int t = 0;
            // Four blocks of positions at a time: with one block, each step of its sum waited on the
            // previous multiply-add. Each position's sum still runs over the head dimension in order,
            // so the scores are unchanged.
            for (; t + 4 * l <= len; t += 4 * l) {
                FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < d; i++) {
                    FloatVector qi = FloatVector.broadcast(Lanes.F, q[qo + i]);
                    int ko = (kvo + i) * span + t;
                    a0 = FloatVector.fromArray(Lanes.F, keysT, ko).fma(qi, a0);
                    a1 = FloatVector.fromArray(Lanes.F, keysT, ko + l).fma(qi, a1);
                    a2 = FloatVector.fromArray(Lanes.F, keysT, ko + 2 * l).fma(qi, a2);
                    a3 = FloatVector.fromArray(Lanes.F, keysT, ko + 3 * l).fma(qi, a3);
                }
                a0.mul(scale).intoArray(s, t);
                a1.mul(scale).intoArray(s, t + l);
                a2.mul(scale).intoArray(s, t + 2 * l);
                a3.mul(scale).intoArray(s, t + 3 * l);
            }
            for (; t < len; t += l) {
                FloatVector acc = FloatVector.zero(Lanes.F);
                for (int i = 0; i < d; i++) acc = FloatVector.fromArray(Lanes.F, keysT, (kvo + i) * span + t).fma(FloatVector.broadcast(Lanes.F, q[qo + i]), acc);
                acc.mul(scale).intoArray(s, t);
            }
        } else {
            for (int t = 0; t < len; t++) s[t] = dot(q, qo, keys, t * kvDim + kvo, d) * scale;
        }
        float inv = 1f / softmax(s, len);
        int oo = (r * heads + h) * d;
        int i = 0;
        // Four vectors of the head dimension at a time, positions in the inner loop: each cached value
        // row is read once per chunk, contiguously.
        for (; i + 4 * l <= d; i += 4 * l) {
            FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
            for (int t = 0; t < len; t++) {
                FloatVector p = FloatVector.broadcast(Lanes.F, s[t]);
                int vo = t * kvDim + kvo + i;
                a0 = FloatVector.fromArray(Lanes.F, values, vo).fma(p, a0);
                a1 = FloatVector.fromArray(Lanes.F, values, vo + l).fma(p, a1);
                a2 = FloatVector.fromArray(Lanes.F, values, vo + 2 * l).fma(p, a2);
                a3 = FloatVector.fromArray(Lanes.F, values, vo + 3 * l).fma(p, a3);
            }
            a0.mul(inv).intoArray(out, oo + i);
            a1.mul(inv).intoArray(out, oo + i + l);
            a2.mul(inv).intoArray(out, oo + i + 2 * l);
            a3.mul(inv).intoArray(out, oo + i + 3 * l);
        }
        for (; i + l <= d; i += l) {
            FloatVector acc = FloatVector.zero(Lanes.F);
            for (int t = 0; t < len; t++) acc = FloatVector.fromArray(Lanes.F, values, t * kvDim + kvo + i).fma(FloatVector.broadcast(Lanes.F, s[t]), acc);
            acc.mul(inv).intoArray(out, oo + i);
        }
        for (; i < d; i++) {
            float acc = 0;
            for (int t = 0; t < len; t++) acc = Math.fma(s[t], values[t * kvDim + kvo + i], acc);
            out[oo + i] = acc * inv;
        }
    }

    /** {@code s[0, len)} to {@code exp(s - max)} in vector lanes; returns their sum. */
    private static float softmax(float[] s, int len) {
        int l = Lanes.LENGTH;
        float max = Float.NEGATIVE_INFINITY;
        int t = 0;
        if (len >= l) {
            FloatVector m = FloatVector.fromArray(Lanes.F, s, 0);
            for (t = l; t + l <= len; t += l) m = m.max(FloatVector.fromArray(Lanes.F, s, t));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; t < len; t++) max = Math.max(max, s[t]);
        FloatVector sum = FloatVector.zero(Lanes.F);
        t = 0;
        for (; t + l <= len; t += l) {
            FloatVector e = FloatExp.exp(FloatVector.fromArray(Lanes.F, s, t).sub(max));
            e.intoArray(s, t);
            sum = sum.add(e);
        }
        float total = Lanes.sum(sum);
        for (; t < len; t++) {
            s[t] = FloatExp.exp(s[t] - max);
            total += s[t];
        }
        return total;
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int l = Lanes.LENGTH;
        FloatVector acc = FloatVector.zero(Lanes.F);
        int i = 0;
        for (; i + l <= n; i += l) acc = FloatVector.fromArray(Lanes.F, a, ao + i).fma(FloatVector.fromArray(Lanes.F, b, bo + i), acc);
        float s = Lanes.sum(acc);
        for (; i < n; i++) s = Math.fma(a[ao + i], b[bo + i], s);
        return s;
    }
}
