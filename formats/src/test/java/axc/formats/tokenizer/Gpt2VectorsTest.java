package axc.formats.tokenizer;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The GPT-2 pre-tokenizer (what GPT2Tokenizer vocabularies such as A.X 4.0 Light use) against
 * llama.cpp's GPT-2 vectors, which Hugging Face transformers produced. The vocabulary comes out of
 * llama.cpp's vocab-only GGUF.
 */
class Gpt2VectorsTest {
    @TestFactory
    Stream<DynamicTest> llamaCppVectors() throws IOException {
        GgufVocab gguf = GgufVocab.read(TokenizerFixtures.path("gpt-2/ggml-vocab-gpt-2.gguf"));
        Map<String, Integer> vocab = new HashMap<>();
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < gguf.tokens.size(); i++) {
            vocab.put(gguf.tokens.get(i), i);
            if (gguf.tokenTypes.size() > i && gguf.tokenTypes.get(i) == 3) added.add(new AddedToken(i, gguf.tokens.get(i), true));
        }
        List<String[]> merges = gguf.merges.stream().map(m -> m.split(" ", 2)).toList();
        Tokenizer tok = Tokenizer.of(vocab, merges, added, Normalization.NONE, PreTokenizer.GPT2, TokenizerConfig.EMPTY,
                TokenizerFixtures.path("gpt-2/ggml-vocab-gpt-2.gguf"));
        assertEquals(50257, tok.vocabSize());
        List<TokenizerFixtures.VocabCase> cases = TokenizerFixtures.llamaCppCases(
                "gpt-2/ggml-vocab-gpt-2.gguf.inp", "gpt-2/ggml-vocab-gpt-2.gguf.out");
        assertEquals(46, cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            assertArrayEquals(c.ids(), tok.encode(c.text()), c.toString());
            assertEquals(c.text(), tok.decode(c.ids()));
        }));
    }
}
