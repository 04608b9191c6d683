package axc.formats.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingDecoderProperties {
    @Provide
    Arbitrary<String> texts() {
        return TextFragments.text();
    }

    @Property(tries = 500)
    void chunksOfValidTextAreWholeCharacters(@ForAll("texts") String text) {
        Tokenizer tok = TokenizerFixtures.qwen2();
        int[] ids = tok.encode(text);
        StreamingDecoder d = tok.streamingDecoder();
        StringBuilder all = new StringBuilder();
        for (int id : ids) {
            String chunk = d.next(id);
            assertFalse(chunk.contains("\uFFFD"), () -> "chunk with U+FFFD after id " + id);
            all.append(chunk);
        }
        assertFalse(d.hasPending());
        assertEquals("", d.finish());
        assertEquals(tok.decode(ids), all.toString());
    }

    @Provide
    Arbitrary<int[]> anyIds() {
        // Any ids at all, including byte tokens that leave characters unfinished or malformed.
        Arbitrary<Integer> byteToken = Arbitraries.integers().between(0, 255);
        Arbitrary<Integer> anyToken = Arbitraries.integers().between(0, 151700);
        return Arbitraries.oneOf(byteToken, anyToken).array(int[].class).ofMaxSize(40);
    }

    @Property(tries = 1000)
    void chunksConcatenateToTheWholeDecode(@ForAll("anyIds") int[] ids) {
        Tokenizer tok = TokenizerFixtures.qwen2();
        StreamingDecoder d = tok.streamingDecoder();
        StringBuilder all = new StringBuilder();
        for (int id : ids) all.append(d.next(id));
        all.append(d.finish());
        assertEquals(tok.decode(ids), all.toString());
    }

    @Example
    void holdsBackAnEmojiUntilItsLastByte() {
        Tokenizer tok = TokenizerFixtures.qwen2();
        byte[] utf8 = "😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StreamingDecoder d = tok.streamingDecoder();
        for (int i = 0; i < 3; i++) {
            int id = tok.tokenId(String.valueOf(ByteLevel.charOf(utf8[i] & 0xFF))).getAsInt();
            assertEquals("", d.next(id));
            assertTrue(d.hasPending());
        }
        assertEquals("😀", d.next(tok.tokenId(String.valueOf(ByteLevel.charOf(utf8[3] & 0xFF))).getAsInt()));
        assertFalse(d.hasPending());
    }
}
