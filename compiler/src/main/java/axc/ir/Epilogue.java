package axc.ir;

/**
 * Elementwise work a matmul-family op ({@code matmul}, {@code rms_norm_matmul}, {@code matmul_swiglu})
 * applies to its result before writing it, so the result makes one trip to memory. Spelled as optional
 * attributes; the operands it needs follow the op's own inputs. Stages run in this order:
 *
 * <ol>
 *   <li>{@code swiglu=true} (not on {@code matmul_swiglu}, which has it built in): of the product's
 *       {@code 2n} features, {@code silu(y[:n]) * y[n:]};</li>
 *   <li>{@code bias=m}: adds the concatenation of {@code m} bias params (the next {@code m} inputs);</li>
 *   <li>{@code rope_heads=h, rope_head_dim=d, rope_theta=t}: rotary embedding of features
 *       {@code [0, h*d)} as {@code h} heads of {@code d}, at the positions (the next input, {@code i32});
 *       the features past {@code h*d} pass through;</li>
 *   <li>{@code residual=true}: adds the last input, a value of the result's type.</li>
 * </ol>
 *
 * A graph without these attributes is unchanged by them; {@link #NONE} is the empty epilogue.
 */
public record Epilogue(boolean swiglu, int biases, Rope rope, boolean residual) {
    public static final String SWIGLU = "swiglu";
    public static final String BIAS = "bias";
    public static final String ROPE_HEADS = "rope_heads";
    public static final String ROPE_HEAD_DIM = "rope_head_dim";
    public static final String ROPE_THETA = "rope_theta";
    public static final String RESIDUAL = "residual";

    public static final Epilogue NONE = new Epilogue(false, 0, null, false);

    /** Rotary embedding of the first {@code heads * headDim} features. */
    public record Rope(int heads, int headDim, double theta) {
    }

    public Epilogue {
        if (biases < 0) throw new IllegalArgumentException("negative bias count " + biases);
    }

    /** Ops that may carry an epilogue. */
    public static boolean allowedOn(Op op) {
        return op == Op.MATMUL || op == Op.RMS_NORM_MATMUL || op == Op.MATMUL_SWIGLU;
    }

    /** The epilogue of a node ({@link #NONE} for ops that cannot carry one). */
    public static Epilogue of(Node n) {
        return allowedOn(n.op()) ? of(n.attrs()) : NONE;
    }

    /** Reads the epilogue attributes; throws {@link IllegalArgumentException} on malformed ones. */
    public static Epilogue of(Attrs a) {
        boolean swiglu = a.has(SWIGLU) && a.getBool(SWIGLU);
        int biases = a.has(BIAS) ? a.getInt(BIAS) : 0;
        Rope rope = null;
        if (a.has(ROPE_HEADS) || a.has(ROPE_HEAD_DIM) || a.has(ROPE_THETA)) {
            rope = new Rope(a.getInt(ROPE_HEADS), a.getInt(ROPE_HEAD_DIM), a.getDouble(ROPE_THETA));
        }
        boolean residual = a.has(RESIDUAL) && a.getBool(RESIDUAL);
        return new Epilogue(swiglu, biases, rope, residual);
    }

    public boolean isEmpty() {
        return !swiglu && biases == 0 && rope == null && !residual;
    }

    /**
     * Whether an op with epilogue {@code e} computes each row from that row alone and nothing more (a
     * matmul, possibly with its RMSNorm, no epilogue), so a step that wants a prompt's last row of it
     * may compute that row alone.
     */
    public static boolean narrowable(Op op, Epilogue e) {
        return (op == Op.MATMUL || op == Op.RMS_NORM_MATMUL) && e.isEmpty();
    }

    /** Operands the epilogue appends to the op's own inputs. */
    public int extraInputs() {
        return biases + (rope != null ? 1 : 0) + (residual ? 1 : 0);
    }

    /** The inputs of {@code n} that belong to the op itself (before the epilogue's). */
    public static int baseInputs(Node n) {
        return n.inputs().size() - of(n).extraInputs();
    }

    /** Index (among all inputs) of the first bias, given the total input count. */
    public int firstBias(int inputs) {
        return inputs - extraInputs();
    }

    /** Index of the positions input (requires a rope stage). */
    public int positionsInput(int inputs) {
        if (rope == null) throw new IllegalStateException("no rope stage");
        return firstBias(inputs) + biases;
    }

    /** Index of the residual input (requires a residual stage). */
    public int residualInput(int inputs) {
        if (!residual) throw new IllegalStateException("no residual stage");
        return inputs - 1;
    }

    /** {@code a} with this epilogue's attributes set (and stale ones removed). */
    public Attrs applyTo(Attrs a) {
        Attrs r = a.without(SWIGLU).without(BIAS).without(ROPE_HEADS).without(ROPE_HEAD_DIM).without(ROPE_THETA).without(RESIDUAL);
        if (swiglu) r = r.with(SWIGLU, true);
        if (biases > 0) r = r.with(BIAS, biases);
        if (rope != null) r = r.with(ROPE_HEADS, rope.heads).with(ROPE_HEAD_DIM, rope.headDim).with(ROPE_THETA, rope.theta);
        if (residual) r = r.with(RESIDUAL, true);
        return r;
    }

    public Epilogue withSwiglu() {
        return new Epilogue(true, biases, rope, residual);
    }

    public Epilogue withBiases(int m) {
        return new Epilogue(swiglu, m, rope, residual);
    }

    public Epilogue withRope(Rope r) {
        return new Epilogue(swiglu, biases, r, residual);
    }

    public Epilogue withResidual() {
        return new Epilogue(swiglu, biases, rope, true);
    }
}
