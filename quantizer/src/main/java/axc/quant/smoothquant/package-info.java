/** SmoothQuant: migrating activation outliers into the weights for W8A8 ({@link axc.quant.smoothquant.SmoothQuant}). */
package axc.quant.smoothquant;
