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
    private int position;

    public StepSession(int capacity, Function<Map<String, Tensor>, List<Tensor>> step) {
        this.capacity = capacity;
        this.step = step;
    }

    @Override
    public float[] next(int token) {
        return prefill(new int[]{token})[0];
    }

    @Override
    public float[][] prefill(int[] tokens) {
        if (position + tokens.length > capacity) throw new IllegalStateException("KV cache full (" + capacity + " positions)");
        int[] pos = new int[tokens.length];
        for (int i = 0; i < pos.length; i++) pos[i] = position + i;
        Tensor logits = step.apply(Map.of(QwenFrontend.TOKENS, Tensor.i32(tokens.clone(), tokens.length),
                QwenFrontend.POSITIONS, Tensor.i32(pos, pos.length))).getFirst();
        position += tokens.length;
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < out.length; i++) out[i] = logits.row(i);
        return out;
    }

    @Override
    public int position() {
        return position;
    }
}
