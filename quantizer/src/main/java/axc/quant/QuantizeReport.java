package axc.quant;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** What {@code axc quantize} reports (its --json schema). */
public record QuantizeReport(
        @JsonProperty("output") String output,
        @JsonProperty("format") String format,
        @JsonProperty("recipe") String recipe,
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("tensors") int tensors,
        @JsonProperty("bytes_written") long bytesWritten,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("tensor_errors") List<TensorError> tensorErrors) {
}
