package axc.interp;

import axc.errors.InvalidInputException;
import axc.ir.WeightScheme;
import axc.reference.GptqMatrix;
import axc.reference.Int8ChannelMatrix;
import axc.reference.Matrix;
import axc.reference.Weights;

/**
 * Params from a checkpoint through {@link Weights}: the reference model's own decoders, so the
 * interpreter reads every storage type exactly as the reference does. Checks that the stored form is
 * the one the graph's scheme names.
 */
public record WeightsParams(Weights weights) implements ParamSource {
    @Override
    public Matrix matrix(String name, WeightScheme scheme) {
        Matrix m = weights.matrix(name);
        boolean ok = switch (scheme) {
            case WeightScheme.GptqInt4 g -> m instanceof GptqMatrix;
            case WeightScheme.Int8Channel i -> m instanceof Int8ChannelMatrix;
            case WeightScheme.Stored s -> !(m instanceof GptqMatrix) && !(m instanceof Int8ChannelMatrix);
        };
        if (!ok) throw new InvalidInputException("tensor " + name + ": the graph reads it as " + scheme.spelling() + ", the checkpoint stores it otherwise");
        return m;
    }

    @Override
    public float[] vector(String name) {
        return weights.vector(name);
    }
}
