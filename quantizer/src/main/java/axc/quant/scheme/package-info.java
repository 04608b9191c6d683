/**
 * What the quantization algorithms share: the sealed {@link axc.quant.scheme.QuantScheme} and its
 * records, the integer grid rules ({@link axc.quant.scheme.IntGrid}), the in-memory result
 * ({@link axc.quant.scheme.QuantizedMatrix}), round-to-nearest ({@link axc.quant.scheme.Rtn}), the W8A8
 * reference arithmetic ({@link axc.quant.scheme.W8A8#simulate}), per-channel statistics and scale
 * folding, and the output-error measure.
 *
 * <p>Matrices are row-major {@code float[]} with explicit {@code rows} (output channels) and {@code
 * cols} (input channels), the Hugging Face {@code [out, in]} layout; activations are {@code tokens x
 * cols}.
 */
package axc.quant.scheme;
