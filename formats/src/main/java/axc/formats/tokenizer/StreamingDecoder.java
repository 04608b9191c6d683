package axc.formats.tokenizer;

import java.io.ByteArrayOutputStream;

/**
 * Turns ids into text one at a time, for printing while a model generates. A token may end inside a
 * multi-byte character (byte-level BPE splits emoji and CJK freely); the bytes of such an unfinished
 * character are held back until a later token completes it, so no chunk ever shows half a character.
 * The chunks plus {@link #finish()} concatenate to exactly {@link Tokenizer#decode(int[])} of all ids.
 * Not thread-safe: one per generation.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one id; returns the text it completes, possibly empty. */
    public String next(int id) {
        byte[] b = tokenizer.bytesOf(id);
        if (b == null) return "";
        pending.writeBytes(b);
        byte[] all = pending.toByteArray();
        int keep = Utf8.incompleteTail(all, all.length);
        if (keep == all.length) return "";
        String out = Utf8.decode(all, 0, all.length - keep);
        pending.reset();
        pending.write(all, all.length - keep, keep);
        return out;
    }

    /** Whatever is still held back, with an unfinished character shown as U+FFFD; resets the decoder. */
    public String finish() {
        byte[] rest = pending.toByteArray();
        String out = Utf8.decode(rest, 0, rest.length);
        pending.reset();
        return out;
    }

    /** True when bytes of an unfinished character are being held back. */
    public boolean hasPending() {
        return pending.size() > 0;
    }
}
