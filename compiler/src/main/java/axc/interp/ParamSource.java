package axc.interp;

import axc.ir.WeightScheme;
import axc.reference.Matrix;

import java.util.List;

/** Where the interpreter finds weights: by param name, in their stored form, decoded by {@link Matrix}. */
public interface ParamSource {
    /** The matrix {@code name}, stored as {@code scheme}. */
    Matrix matrix(String name, WeightScheme scheme);

    /** The vector {@code name} (norm weights, biases), decoded to float32. */
    float[] vector(String name);

    /**
     * One product of {@code parts}, matrices that read the same input (a node's weights), their outputs
     * side by side: by default {@link StackedMatrix}, each part's own product in turn. A target may run
     * them as one (one pass over the activations, one hand-over to its threads); each output must be
     * what the part's own product gives.
     */
    default Matrix product(List<Matrix> parts) {
        return StackedMatrix.of(parts);
    }

    /** The activation-sized ops' arithmetic: the reference's unless the target has its own. */
    default OpKernels kernels() {
        return OpKernels.REFERENCE;
    }
}
