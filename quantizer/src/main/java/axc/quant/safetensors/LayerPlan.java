package axc.quant.safetensors;

import axc.formats.hf.HfNames;
import axc.formats.hf.ModelConfig;

import java.util.List;

/**
 * The linear layers of one decoder layer, grouped by the input they share (what AWQ and SmoothQuant
 * scale together, and what one captured activation matrix feeds).
 */
public final class LayerPlan {
    private LayerPlan() {
    }

    public enum Input { ATTENTION, OUTPUT, MLP, DOWN }

    public record Linear(String name, Input input, int rows, int cols) {
    }

    public static List<Linear> of(ModelConfig c, int l) {
        int h = c.hiddenSize();
        return List.of(
                new Linear(HfNames.q(l), Input.ATTENTION, c.qDim(), h),
                new Linear(HfNames.k(l), Input.ATTENTION, c.kvDim(), h),
                new Linear(HfNames.v(l), Input.ATTENTION, c.kvDim(), h),
                new Linear(HfNames.o(l), Input.OUTPUT, h, c.qDim()),
                new Linear(HfNames.gate(l), Input.MLP, c.intermediateSize(), h),
                new Linear(HfNames.up(l), Input.MLP, c.intermediateSize(), h),
                new Linear(HfNames.down(l), Input.DOWN, h, c.intermediateSize()));
    }
}
