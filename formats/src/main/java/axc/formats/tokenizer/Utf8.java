package axc.formats.tokenizer;

/** UTF-8 boundary arithmetic for {@link StreamingDecoder}. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * How many bytes at the end of {@code b[0..len)} are a proper prefix of a well-formed UTF-8
     * sequence, that is, a character that more bytes could still complete. Zero when the text ends on
     * a character boundary or with bytes that no continuation could make valid. Holding back only such
     * a prefix never changes how the earlier bytes decode: it starts with a lead byte, where any
     * decoder restarts.
     */
    static int incompleteTail(byte[] b, int len) {
        for (int back = 1; back <= 3 && back <= len; back++) {
            int lead = b[len - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) continue; // continuation byte: look further back
            int need = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xC2 && lead <= 0xDF ? 2 : 1;
            if (need <= back) return 0;
            // The bytes after the lead must be a valid start of its sequence (RFC 3629 second-byte ranges).
            if (back >= 2) {
                int second = b[len - back + 1] & 0xFF;
                int lo = 0x80, hi = 0xBF;
                if (lead == 0xE0) lo = 0xA0;
                else if (lead == 0xED) hi = 0x9F;
                else if (lead == 0xF0) lo = 0x90;
                else if (lead == 0xF4) hi = 0x8F;
                if (second < lo || second > hi) return 0;
            }
            return back;
        }
        return 0;
    }
}
