/**
 * GPTQ: {@link axc.quant.gptq.HessianAccumulator} gathers {@code 2 X^T X / n} from calibration inputs,
 * {@link axc.quant.gptq.Gptq} quantizes a layer with it.
 */
package axc.quant.gptq;
