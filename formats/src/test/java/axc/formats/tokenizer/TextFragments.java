package axc.formats.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generated text that stresses a byte-level BPE: several scripts, code, emoji with ZWJ and skin tones,
 * digit runs, every kind of whitespace the pre-tokenizer regexes treat differently, combining marks
 * (NFC), and ChatML control tokens dropped in the middle of words.
 */
final class TextFragments {
    private TextFragments() {
    }

    static Arbitrary<String> text() {
        return fragment().list().ofMaxSize(24).map(l -> String.join("", l));
    }

    static Arbitrary<String> fragment() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, words()),
                net.jqwik.api.Tuple.of(3, range('가', '힣', 1, 6)),
                net.jqwik.api.Tuple.of(2, range('\u4E00', '\u9FA5', 1, 6)),
                net.jqwik.api.Tuple.of(1, range('\u3041', '\u3096', 1, 5)),
                net.jqwik.api.Tuple.of(1, range('\u30A1', '\u30FA', 1, 5)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(
                        "def f(x):\n    return x ** 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
                        "if a != b && c >= 0:", "// comment", "#include <stdio.h>", "x = {'k': [1, 2.5e-3]}",
                        "<div class=\"a\">", "```java\n", "</tool_call>", "<tool_call>", "<think>", "</think>")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(
                        "😀", "👍🏽", "👩‍👩‍👧‍👦", "🧑‍🤝‍🧑", "❤️", "🇰🇷", "🏳️‍🌈", "✨", "👨🏻‍🌾", "🕵‍♂️", "\uFE0F", "\u200D")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12)),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars(" \t\n\r\u000B\u000C\u0085\u00A0\u2028\u3000\u2003\u001C")
                        .ofMinLength(1).ofMaxLength(6)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\r\n", "\r\n\r\n", "\n\n\n", "  \n", " \t ")),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().withChars("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…–—“”‘’«»。、！？・¿")
                        .ofMinLength(1).ofMaxLength(5)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("'s", "'T", "'re", "'LL", "'d", "'ve", "'m", "n't")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("e\u0301", "a\u0308", "\u1100\u1161\u11A8", "\u03D2\u0301", "A\u030A", "\u0301")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>user\n", "<|fim_pad|>")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("Ünïcödé", "Straße", "Ελληνικά", "Русский", "العربية", "हिन्दी", "ไทย", "１２３ＡＢＣ", "½ ² ⅷ ٣")));
    }

    private static Arbitrary<String> words() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(10)
                .flatMap(w -> Arbitraries.of("", " ").map(sp -> sp + w));
    }

    private static Arbitrary<String> range(char from, char to, int min, int max) {
        return Arbitraries.strings().withCharRange(from, to).ofMinLength(min).ofMaxLength(max)
                .flatMap(w -> Arbitraries.of("", " ").map(sp -> sp + w));
    }
}
