package axc.interp;

import axc.ir.WeightScheme;
import axc.reference.Matrix;

/** Where the interpreter finds weights: by param name, in their stored form, decoded by {@link Matrix}. */
public interface ParamSource {
    /** The matrix {@code name}, stored as {@code scheme}. */
    Matrix matrix(String name, WeightScheme scheme);

    /** The vector {@code name} (norm weights, biases), decoded to float32. */
    float[] vector(String name);

    /** The activation-sized ops' arithmetic: the reference's unless the target has its own. */
    default OpKernels kernels() {
        return OpKernels.REFERENCE;
    }
}
