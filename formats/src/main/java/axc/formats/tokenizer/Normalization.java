package axc.formats.tokenizer;

import java.text.Normalizer;

/** The text normalization applied to text between added tokens, before pre-tokenization. */
public enum Normalization {
    NONE,
    /** Unicode canonical composition; Qwen tokenizers declare it so that "e" + U+0301 encodes as "é". */
    NFC;

    String apply(String s) {
        if (this == NONE || Normalizer.isNormalized(s, Normalizer.Form.NFC)) return s;
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }
}
