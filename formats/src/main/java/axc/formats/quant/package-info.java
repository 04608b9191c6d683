/**
 * llama.cpp block quantization formats, scalar reference path.
 *
 * <p>One class per block layout ({@link axc.formats.quant.Q8_0}, {@link axc.formats.quant.Q4_K}, ...)
 * holds that layout's offsets, its dequantizer and its reference quantizer; {@link
 * axc.formats.quant.Dequantizer} and {@link axc.formats.quant.Quantizer} dispatch on {@link
 * axc.formats.dtype.DType}. Both directions reproduce ggml exactly: dequantized values are bit-identical
 * to ggml's reference dequantizers, and quantized bytes are identical to {@code llama-quantize} without
 * an importance matrix ({@code quantize_row_*_ref}). Exactness comes from doing every step in float32,
 * in ggml's order, with ggml's rounding ({@code nearest_int} ties to even, {@code roundf} away from zero,
 * truncating casts where ggml truncates). The tests hold this against files made by llama.cpp.
 *
 * <p>Quantizers are allocation-free per block: scratch arrays are made once per call.
 */
package axc.formats.quant;
