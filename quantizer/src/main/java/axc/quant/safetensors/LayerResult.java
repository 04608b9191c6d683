package axc.quant.safetensors;

import axc.quant.TensorError;
import axc.quant.scheme.QuantizedMatrix;

import java.util.Map;

/** One quantized layer: its matrices as they will be stored, rescaled norms (if any) and errors. */
record LayerResult(int layer, Map<String, QuantizedMatrix> matrices, Map<String, float[]> vectors, Map<String, TensorError> errors) {
}
