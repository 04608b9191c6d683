package axc.quant;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Quantization error of one tensor: relative error ||W - Q(W)|| / ||W|| and the signal-to-quantization
 * noise ratio 10 log10(||W||^2 / ||W - Q(W)||^2) in dB.
 */
public record TensorError(@JsonProperty("name") String name, @JsonProperty("type") String type,
                          @JsonProperty("relative_error") double relativeError, @JsonProperty("sqnr_db") Double sqnrDb) {
    public static TensorError of(String name, String type, double errSq, double refSq) {
        double rel = refSq == 0 ? 0 : Math.sqrt(errSq / refSq);
        // Lossless (or all-zero) tensors have no finite SQNR; JSON gets null rather than Infinity.
        Double sqnr = errSq == 0 || refSq == 0 ? null : 10 * Math.log10(refSq / errSq);
        return new TensorError(name, type, rel, sqnr);
    }
}
