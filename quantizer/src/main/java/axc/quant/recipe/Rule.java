package axc.quant.recipe;

import java.util.regex.Pattern;

/** One recipe rule: tensors whose name (GGUF or Hugging Face) matches {@code pattern} get {@code type}. */
public record Rule(Pattern pattern, String type) {
    public boolean matches(String... names) {
        for (String n : names) if (n != null && pattern.matcher(n).find()) return true;
        return false;
    }
}
