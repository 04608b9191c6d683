package axc.model;

import axc.formats.hf.ModelConfig;

/**
 * Anything that turns token ids into next-token logits: the reference forward pass, or a compiled
 * artifact loaded by a target. The runner (generate, validate, bench) sees models only through this.
 */
public interface LanguageModel {
    ModelConfig config();

    /** Rows of the output head (the logits' length). */
    int vocabRows();

    /** A fresh decoding state with room for {@code capacity} positions. */
    Session newSession(int capacity);

    /** Bytes of weights read to decode one token (for bandwidth figures). */
    long weightBytesPerToken();

    /** What computes it ("reference", "cpu", ...). */
    String backend();

    /** One sequence being decoded: its KV cache and position. */
    interface Session {
        /** Runs one token at the next position; returns its logits. */
        float[] next(int token);

        /** Runs several tokens; returns the logits of every position. */
        default float[][] prefill(int[] tokens) {
            float[][] out = new float[tokens.length][];
            for (int i = 0; i < tokens.length; i++) out[i] = next(tokens[i]);
            return out;
        }

        /**
         * Runs several tokens; returns the logits of the last only, which is all a prompt before
         * generation needs. Implementations may skip the other positions' output projection.
         */
        default float[] prefillLast(int[] tokens) {
            if (tokens.length == 0) throw new IllegalArgumentException("no tokens");
            float[][] all = prefill(tokens);
            return all[all.length - 1];
        }

        int position();
    }
}
