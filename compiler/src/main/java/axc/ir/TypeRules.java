package axc.ir;

import java.util.ArrayList;
import java.util.List;

/** Shape and element-type rules of every op (see {@link Op#infer}). */
final class TypeRules {
    private TypeRules() {
    }

    static TensorType infer(Op op, List<TensorType> in, Attrs a) {
        if (Epilogue.allowedOn(op)) {
            Epilogue e = Epilogue.of(a);
            if (!e.isEmpty()) return epilogue(op, in, a, e);
        }
        return base(op, in, a);
    }

    /** The op's result, then each epilogue stage's rule on it (see {@link Epilogue}). */
    private static TensorType epilogue(Op op, List<TensorType> in, Attrs a, Epilogue e) {
        int base = in.size() - e.extraInputs();
        if (base < op.minInputs()) throw fail("an epilogue of " + e.extraInputs() + " operands leaves " + base + " inputs to " + op.spelling());
        TensorType t = base(op, in.subList(0, base), a);
        int i = base;
        if (e.swiglu()) {
            if (op == Op.MATMUL_SWIGLU) throw fail("matmul_swiglu has SwiGLU built in; swiglu=true is for matmul and rms_norm_matmul");
            long n = t.last().size();
            if (n % 2 != 0) throw fail("a SwiGLU epilogue needs an even product width, got " + n);
            t = t.withLast(Dim.of(n / 2));
        }
        if (e.biases() > 0) {
            long n = 0;
            for (int k = 0; k < e.biases(); k++) n += weight(in, i++, "bias", 1).dim(0).size();
            same(t.last(), Dim.of(n), "feature size of the result", "total size of the biases");
        }
        if (e.rope() != null) {
            Epilogue.Rope r = e.rope();
            if (r.heads() <= 0 || r.headDim() <= 0) throw fail("rope_heads and rope_head_dim must be positive");
            if (r.headDim() % 2 != 0) throw fail("rope_head_dim " + r.headDim() + " is odd");
            if ((long) r.heads() * r.headDim() > t.last().size()) throw fail("rope over " + r.heads() + " heads of " + r.headDim() + " exceeds the " + t.last() + " features of the result");
            positions(in.get(i++), t);
        }
        if (e.residual()) {
            TensorType res = activation(in, i);
            if (!res.equals(t)) throw fail("residual " + res + " differs from the result " + t);
        }
        return t;
    }

    private static TensorType base(Op op, List<TensorType> in, Attrs a) {
        return switch (op) {
            case INPUT, PARAM -> throw new IllegalArgumentException(op.spelling() + " has a declared type");
            case EMBEDDING -> {
                TensorType table = weight(in, 0, "table", 2);
                TensorType ids = in.get(1);
                if (ids.dtype() != DataType.I32) throw fail("token ids must be i32, got " + ids);
                List<Dim> s = new ArrayList<>(ids.shape());
                s.add(table.dim(1));
                yield new TensorType(DataType.F32, s);
            }
            case RMS_NORM -> {
                TensorType x = activation(in, 0);
                TensorType w = weight(in, 1, "weight", 1);
                same(x.last(), w.dim(0), "feature size of x", "size of the weight");
                yield x;
            }
            case HEAD_RMS_NORM -> {
                TensorType x = activation(in, 0);
                TensorType w = weight(in, 1, "weight", 1);
                long heads = positive(a, "heads");
                long hd = positive(a, "head_dim");
                same(w.dim(0), Dim.of(hd), "size of the weight", "head_dim");
                same(x.last(), Dim.of(heads * hd), "feature size of x", "heads * head_dim");
                yield x;
            }
            case MATMUL -> matmul(in, 1, activation(in, 0).last(), activation(in, 0));
            case RMS_NORM_MATMUL -> {
                TensorType x = activation(in, 0);
                TensorType g = weight(in, 1, "norm weight", 1);
                same(x.last(), g.dim(0), "feature size of x", "size of the norm weight");
                yield matmul(in, 2, x.last(), x);
            }
            case MATMUL_SWIGLU -> {
                TensorType x = activation(in, 0);
                TensorType out = matmul(in.subList(0, 2), 1, x.last(), x);
                TensorType up = matmul(List.of(in.get(0), in.get(2)), 1, x.last(), x);
                same(out.last(), up.last(), "rows of the gate weight", "rows of the up weight");
                yield out;
            }
            case BIAS_ADD -> {
                TensorType x = activation(in, 0);
                long n = 0;
                for (int i = 1; i < in.size(); i++) n += weight(in, i, "bias", 1).dim(0).size();
                same(x.last(), Dim.of(n), "feature size of x", "total size of the biases");
                yield x;
            }
            case ADD, MUL, SWIGLU -> {
                TensorType x = activation(in, 0);
                TensorType y = activation(in, 1);
                if (!x.equals(y)) throw fail("operands differ: " + x + " and " + y);
                yield x;
            }
            case SILU -> activation(in, 0);
            case ROPE -> {
                TensorType x = activation(in, 0);
                long heads = positive(a, "heads");
                long hd = positive(a, "head_dim");
                if (hd % 2 != 0) throw fail("head_dim " + hd + " is odd");
                same(x.last(), Dim.of(heads * hd), "feature size of x", "heads * head_dim");
                positions(in.get(1), x);
                a.getDouble("theta");
                yield x;
            }
            case ATTENTION -> {
                TensorType q = activation(in, 0);
                TensorType k = activation(in, 1);
                TensorType v = activation(in, 2);
                long heads = positive(a, "heads");
                long kvHeads = positive(a, "kv_heads");
                long hd = positive(a, "head_dim");
                if (a.getLong("layer") < 0) throw fail("layer " + a.getLong("layer") + " is negative");
                if (heads % kvHeads != 0) throw fail("heads " + heads + " is not a multiple of kv_heads " + kvHeads);
                same(q.last(), Dim.of(heads * hd), "feature size of q", "heads * head_dim");
                same(k.last(), Dim.of(kvHeads * hd), "feature size of k", "kv_heads * head_dim");
                if (!k.equals(v)) throw fail("k and v differ: " + k + " and " + v);
                if (!q.leading().equals(k.leading())) throw fail("q and k have different leading axes: " + q + " and " + k);
                positions(in.get(3), q);
                yield q;
            }
            case SLICE -> {
                TensorType x = activation(in, 0);
                long start = a.getLong("start");
                long size = positive(a, "size");
                if (start < 0) throw fail("start " + start + " is negative");
                if (x.last().isFixed() && start + size > x.last().size()) throw fail("slice [" + start + ", " + (start + size) + ") is outside the " + x.last() + " features of x");
                yield x.withLast(Dim.of(size));
            }
        };
    }

    private static TensorType matmul(List<TensorType> in, int firstWeight, Dim k, TensorType x) {
        long n = 0;
        for (int i = firstWeight; i < in.size(); i++) {
            TensorType w = weight(in, i, "weight", 2);
            same(w.dim(1), k, "columns of weight " + (i - firstWeight), "feature size of x");
            n += w.dim(0).size();
        }
        return x.withLast(Dim.of(n));
    }

    private static TensorType activation(List<TensorType> in, int i) {
        TensorType t = in.get(i);
        if (t.dtype() != DataType.F32) throw fail("input " + i + " must be f32, got " + t);
        if (t.rank() < 1) throw fail("input " + i + " must have a feature axis, got " + t);
        return t;
    }

    private static TensorType weight(List<TensorType> in, int i, String what, int rank) {
        TensorType t = in.get(i);
        if (t.dtype() != DataType.F32 || t.rank() != rank) throw fail(what + " (input " + i + ") must be f32 of rank " + rank + ", got " + t);
        for (Dim d : t.shape()) if (!d.isFixed()) throw fail(what + " (input " + i + ") must have fixed dimensions, got " + t);
        return t;
    }

    private static void positions(TensorType p, TensorType x) {
        if (p.dtype() != DataType.I32) throw fail("positions must be i32, got " + p);
        if (!p.shape().equals(x.leading())) throw fail("positions " + p + " do not match the rows of " + x);
    }

    private static long positive(Attrs a, String name) {
        long v = a.getLong(name);
        if (v <= 0) throw fail("attribute " + name + " must be positive, got " + v);
        return v;
    }

    private static void same(Dim x, Dim y, String xs, String ys) {
        if (!x.equals(y)) throw fail(xs + " (" + x + ") differs from " + ys + " (" + y + ")");
    }

    private static IllegalArgumentException fail(String m) {
        return new IllegalArgumentException(m);
    }
}
