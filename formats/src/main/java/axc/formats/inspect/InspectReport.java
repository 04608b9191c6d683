package axc.formats.inspect;

import java.util.List;
import java.util.Map;

/**
 * What {@code axc inspect} reports, in the field names of its documented {@code --json} schema.
 *
 * @param format      "hf-safetensors", "gguf" or "axc"
 * @param parameters  element count over all tensors
 * @param dtypes      tensor count per dtype
 * @param config      highlights of the model config (sizes, rope, eps, vocab, tied)
 * @param tokenizer   tokenizer summary (kind, vocabulary size, special tokens, files)
 * @param files       every source file with its size and sha256
 */
public record InspectReport(
        String path,
        String format,
        String architecture,
        String family,
        long parameters,
        Map<String, Integer> dtypes,
        Map<String, Object> config,
        Map<String, Object> tokenizer,
        List<TensorRow> tensors,
        List<FileRow> files,
        Map<String, Object> metadata) {

    public record TensorRow(String name, String dtype, long[] shape, long bytes) {
    }

    public record FileRow(String name, long bytes, String sha256) {
    }
}
