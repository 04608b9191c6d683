package axc.target;

import axc.formats.hf.ModelConfig;
import axc.formats.tensor.TensorStore;

/** What a target compiles from besides the graph: the model's config and tensors, and the options. */
public record CompileContext(ModelConfig config, TensorStore tensors, CompileOptions options) {
}
