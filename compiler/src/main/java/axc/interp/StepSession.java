package axc.interp;

import axc.frontend.QwenFrontend;
import axc.model.LanguageModel;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@link LanguageModel.Session} over one step of a {@link QwenFrontend} graph, however the step is
 * run (the interpreter, a target, several targets in turn): it numbers the positions, checks the
 * capacity, and hands {@code tokens} and {@code positions} ({@code i32[T]}) to {@code step}, which
 * returns the graph's outputs, logits {@code f32[T,vocab]} first. {@code next} is a step of one token,
 * {@code prefill} one step of the whole prompt. The step owns the KV cache.
 */
public final class StepSession implements LanguageModel.Session {
    private final int capacity;
    private final Function<Map<String, Tensor>, List<Tensor>> step;
    private final Function<Map<String, Tensor>, List<Tensor>> lastStep;
    /** Whether the step's outputs are new arrays no one else holds, so one row of logits is handed out as it is. */
    private final boolean freshOutputs;
    private int position;

    public StepSession(int capacity, Function<Map<String, Tensor>, List<Tensor>> step) {
        this(capacity, step, null);
    }

    /** With {@code lastStep}, a step that may return the logits of the last position only ({@link #prefillLast}). */
    public StepSession(int capacity, Function<Map<String, Tensor>, List<Tensor>> step, Function<Map<String, Tensor>, List<Tensor>> lastStep) {
        this(capacity, step, lastStep, false);
    }

    /**
     * With {@code freshOutputs}, the step promises that the arrays of its outputs are new and held by
     * no one else (the {@link Interpreter}'s are): a decode step's logits are then returned without a copy.
     */
    public StepSession(int capacity, Function<Map<String, Tensor>, List<Tensor>> step, Function<Map<String, Tensor>, List<Tensor>> lastStep,
                       boolean freshOutputs) {
        this.capacity = capacity;
        this.step = step;
        this.lastStep = lastStep;
        this.freshOutputs = freshOutputs;
    }

    @Override
    public float[] next(int token) {
        return prefill(new int[]{token})[0];
    }

    @Override
    public float[][] prefill(int[] tokens) {
        Tensor logits = run(step, tokens);
        if (freshOutputs && tokens.length == 1 && logits.rows() == 1) return new float[][]{logits.floats()};
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < out.length; i++) out[i] = logits.row(i);
        return out;
    }

    @Override
    public float[] prefillLast(int[] tokens) {
        if (lastStep == null || tokens.length == 0) return LanguageModel.Session.super.prefillLast(tokens);
        Tensor logits = run(lastStep, tokens);
        if (freshOutputs && logits.rows() == 1) return logits.floats();
        return logits.row(logits.rows() - 1);
    }

    private Tensor run(Function<Map<String, Tensor>, List<Tensor>> f, int[] tokens) {
        if (position + tokens.length > capacity) throw new IllegalStateException("KV cache full (" + capacity + " positions)");
        int[] pos = new int[tokens.length];
        for (int i = 0; i < pos.length; i++) pos[i] = position + i;
        Tensor logits = f.apply(Map.of(QwenFrontend.TOKENS, Tensor.i32(tokens.clone(), tokens.length),
                QwenFrontend.POSITIONS, Tensor.i32(pos, pos.length))).getFirst();
        position += tokens.length;
        return logits;
    }

    @Override
    public int position() {
        return position;
    }
}
