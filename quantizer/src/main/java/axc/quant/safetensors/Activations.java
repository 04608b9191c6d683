package axc.quant.safetensors;

import axc.reference.LayerTap;

import java.util.EnumMap;
import java.util.Map;

/**
 * The calibration inputs of one layer's linear layers, captured as the reference model runs it:
 * {@code tokens x channels}, row-major, for each shared input. Only one layer's worth is ever held.
 */
final class Activations implements LayerTap {
    private final int tokens;
    private final Map<LayerPlan.Input, float[]> data = new EnumMap<>(LayerPlan.Input.class);
    private final Map<LayerPlan.Input, Integer> width = new EnumMap<>(LayerPlan.Input.class);
    private final Map<LayerPlan.Input, Integer> filled = new EnumMap<>(LayerPlan.Input.class);

    Activations(int tokens, int hidden, int qDim, int inter) {
        this.tokens = tokens;
        width.put(LayerPlan.Input.ATTENTION, hidden);
        width.put(LayerPlan.Input.OUTPUT, qDim);
        width.put(LayerPlan.Input.MLP, hidden);
        width.put(LayerPlan.Input.DOWN, inter);
        for (LayerPlan.Input i : LayerPlan.Input.values()) {
            data.put(i, new float[tokens * width.get(i)]);
            filled.put(i, 0);
        }
    }

    int tokens() {
        return tokens;
    }

    float[] of(LayerPlan.Input i) {
        return data.get(i);
    }

    private void put(LayerPlan.Input i, float[] x) {
        int t = filled.get(i);
        System.arraycopy(x, 0, data.get(i), t * width.get(i), width.get(i));
        filled.put(i, t + 1);
    }

    @Override
    public void attentionInput(int layer, float[] x) {
        put(LayerPlan.Input.ATTENTION, x);
    }

    @Override
    public void outputInput(int layer, float[] x) {
        put(LayerPlan.Input.OUTPUT, x);
    }

    @Override
    public void mlpInput(int layer, float[] x) {
        put(LayerPlan.Input.MLP, x);
    }

    @Override
    public void downInput(int layer, float[] x) {
        put(LayerPlan.Input.DOWN, x);
    }
}
