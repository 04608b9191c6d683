package axc.formats.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding with the replacement rules Hugging Face's decoders use, boundary arithmetic for
 * streaming, and the well-formedness check the GGUF reader applies to metadata strings.
 */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The offset of the first ill-formed sequence in {@code b[from, to)}, or -1 when there is none:
     * RFC 3629, as the JDK's strict decoder reads it (no overlong forms, no surrogates, nothing above
     * U+10FFFF, nothing cut short).
     */
    public static int malformedAt(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            if (b[i] >= 0) {
                i++;
                continue;
            }
            int n = sequenceLength(b, i, to);
            if (n < 0) return i;
            i += n;
        }
        return -1;
    }

    /**
     * Decodes like Rust's {@code String::from_utf8_lossy} (what Hugging Face's ByteLevel decoder ends
     * with): each maximal ill-formed subpart becomes one U+FFFD, per the Unicode Standard's recommended
     * practice. Java's own decoder differs on some inputs ({@code ED A1} is one U+FFFD in Java, two in
     * Rust), so well-formed runs go through Java's fast path and the rest is replaced here.
     */
    static String decode(byte[] b, int off, int len) {
        int end = off + len;
        StringBuilder out = null;
        int runStart = off;
        int i = off;
        while (i < end) {
            int lead = b[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end);
            if (n > 0) {
                i += n;
                continue;
            }
            // Ill-formed: -n bytes (at least one) make one maximal subpart.
            if (out == null) out = new StringBuilder(len + 16);
            out.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8)).append('\uFFFD');
            i += -n;
            runStart = i;
        }
        if (out == null) return new String(b, off, len, StandardCharsets.UTF_8);
        return out.append(new String(b, runStart, end - runStart, StandardCharsets.UTF_8)).toString();
    }

    /**
     * The length of the well-formed sequence starting at {@code i} (a non-ASCII byte), or minus the
     * length of the maximal ill-formed subpart there.
     */
    private static int sequenceLength(byte[] b, int i, int end) {
        int lead = b[i] & 0xFF;
        int need;
        int lo = 0x80, hi = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            need = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            need = 3;
            if (lead == 0xE0) lo = 0xA0;
            else if (lead == 0xED) hi = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            need = 4;
            if (lead == 0xF0) lo = 0x90;
            else if (lead == 0xF4) hi = 0x8F;
        } else {
            return -1;
        }
        for (int k = 1; k < need; k++) {
            if (i + k >= end) return -k;
            int c = b[i + k] & 0xFF;
            if (k == 1 ? (c < lo || c > hi) : (c & 0xC0) != 0x80) return -k;
        }
        return need;
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
