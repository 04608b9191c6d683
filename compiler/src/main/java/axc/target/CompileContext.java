package axc.target;

import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorStore;

/**
 * What a target compiles from besides the graph: the model's config and tensors, and the options.
 * {@code config} is null when the artifact holds a bare graph rather than a model (API 2: graph
 * artifacts, loaded with {@link Target#loadGraph}); the graph's params are then named as
 * {@link axc.interp.StoredParams} describes.
 */
public record CompileContext(ModelConfig config, TensorStore tensors, CompileOptions options) {
}
