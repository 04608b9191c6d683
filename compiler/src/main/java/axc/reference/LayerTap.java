package axc.reference;

/**
 * Sees the input of each linear layer as the reference model runs: what calibration records (Hessians
 * for GPTQ, channel magnitudes for AWQ and SmoothQuant). Arrays are reused: copy what you keep.
 */
public interface LayerTap {
    /** Input of q/k/v (the attention RMSNorm's output). */
    default void attentionInput(int layer, float[] x) {
    }

    /** Input of o_proj (the attention output). */
    default void outputInput(int layer, float[] x) {
    }

    /** Input of gate/up (the MLP RMSNorm's output). */
    default void mlpInput(int layer, float[] x) {
    }

    /** Input of down_proj (silu(gate) * up). */
    default void downInput(int layer, float[] x) {
    }

    LayerTap NONE = new LayerTap() {
    };
}
