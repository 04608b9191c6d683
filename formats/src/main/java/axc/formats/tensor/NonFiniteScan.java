package axc.formats.tensor;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts NaN and infinite weights. A checkpoint holding them is broken (a diverged training run, a bad
 * export): it converts and quantizes without complaint and then generates garbage, so the commands
 * that read weights report it before they start. Float storage is checked on its raw bits (no
 * decoding); llama.cpp block types are decoded a chunk at a time, which also catches non-finite scales.
 */
public final class NonFiniteScan {
    /** Values of one chunk of a block-quantized tensor decoded at a time. */
    private static final int CHUNK = 1 << 16;
    /**
     * Bytes of float storage per unit of parallel work. One tensor can be a quarter of a checkpoint (a
     * 0.5B model's embedding): scanned whole, it kept one core busy while the other had finished.
     */
    private static final long PIECE_BYTES = 4L << 20;

    /** A tensor holding {@code nan} NaNs and {@code inf} infinities among its {@code values}. */
    public record Finding(String tensor, long nan, long inf, long values) {
    }

    /** The bit fields of a float storage type: exponent and mantissa masks of a value of {@code bytes} bytes. */
    private enum Bits {
        F32(4, 0x7F800000L, 0x007FFFFFL), F16(2, 0x7C00L, 0x03FFL), BF16(2, 0x7F80L, 0x007FL);

        final int bytes;
        final int perWord;
        final long exp;
        final long mant;
        /** The exponent mask, a one and the top bit, repeated in every lane of a 64-bit word. */
        final long laneExp;
        final long ones;
        final long high;

        Bits(int bytes, long exp, long mant) {
            this.bytes = bytes;
            this.perWord = 8 / bytes;
            this.exp = exp;
            this.mant = mant;
            int bits = 8 * bytes;
            long le = 0, o = 0, h = 0;
            for (int l = 0; l < perWord; l++) {
                le |= exp << (bits * l);
                o |= 1L << (bits * l);
                h |= 1L << (bits * l + bits - 1);
            }
            laneExp = le;
            ones = o;
            high = h;
        }

        /**
         * Non-zero when a lane of {@code word} has all its exponent bits set. The lanes are tested together
         * (SWAR): the exponent field XORed with all ones makes a non-finite lane zero, and
         * {@code (z - ones) & ~z & high} is non-zero when any lane of z is.
         */
        long flags(long word) {
            long z = (word & laneExp) ^ laneExp;
            return (z - ones) & ~z & high;
        }

        static Bits of(DType t) {
            return switch (t) {
                case F32 -> F32;
                case F16 -> F16;
                case BF16 -> BF16;
                default -> null;
            };
        }
    }

    /** Values {@code [from, to)} of tensor number {@code tensor}, stored as {@code dtype} in {@code data}. */
    private record Piece(int tensor, DType dtype, MemorySegment data, long from, long to) {
    }

    private NonFiniteScan() {
    }

    /**
     * The tensors of {@code store} that hold a non-finite value, in file order. Float storage is scanned
     * in pieces of a few MB, in parallel, so a large tensor is shared between the cores.
     */
    public static List<Finding> scan(TensorStore store) {
        List<TensorInfo> tensors = store.tensors();
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorInfo t = tensors.get(i);
            long n = TensorInfo.elementCount(t.shape());
            Bits b = Bits.of(t.dtype());
            // Pieces of whole words, so that each starts on one.
            long step = b == null ? Math.max(1, n) : PIECE_BYTES / b.bytes;
            MemorySegment d = store.data(t.name());
            for (long at = 0; at < n; at += step) pieces.add(new Piece(i, t.dtype(), d, at, Math.min(n, at + step)));
        }
        List<long[]> counts = pieces.parallelStream().map(p -> count(p.dtype(), p.data(), p.from(), p.to())).toList();
        long[][] perTensor = new long[tensors.size()][2];
        for (int k = 0; k < pieces.size(); k++) {
            long[] total = perTensor[pieces.get(k).tensor()];
            total[0] += counts.get(k)[0];
            total[1] += counts.get(k)[1];
        }
        List<Finding> found = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (perTensor[i][0] + perTensor[i][1] > 0) {
                TensorInfo t = tensors.get(i);
                found.add(new Finding(t.name(), perTensor[i][0], perTensor[i][1], TensorInfo.elementCount(t.shape())));
            }
        }
        return found;
    }

    static Finding scan(TensorInfo t, MemorySegment d) {
        long n = TensorInfo.elementCount(t.shape());
        long[] count = count(t.dtype(), d, 0, n);
        return new Finding(t.name(), count[0], count[1], n);
    }

    /**
     * NaNs and infinities (in that order) among values {@code [from, to)} of a tensor stored as
     * {@code dtype} in {@code d}. For a block type {@code from} starts a block; integer types count
     * nothing.
     */
    public static long[] count(DType dtype, MemorySegment d, long from, long to) {
        long[] count = new long[2];
        Bits b = Bits.of(dtype);
        if (b != null) {
            // Values before the first whole word and after the last one are looked at one by one.
            long firstWord = (from + b.perWord - 1) / b.perWord, endWord = Math.max(firstWord, to / b.perWord);
            for (long i = from; i < Math.min(to, firstWord * b.perWord); i++) one(value(d, i, b), b, count);
            if (anyInWords(d, firstWord, endWord, b)) lanes(d, firstWord, endWord, b, count);
            for (long i = endWord * b.perWord; i < to; i++) one(value(d, i, b), b, count);
            return count;
        }
        if (!dtype.isFloating() || !Dequantizer.supports(dtype)) return count;
        int chunk = (CHUNK / dtype.blockSize()) * dtype.blockSize();
        float[] v = new float[chunk];
        for (long at = from; at < to; at += chunk) {
            int m = (int) Math.min(chunk, to - at);
            Dequantizer.dequantize(dtype, d, dtype.bytesFor(at), v, 0, m);
            for (int i = 0; i < m; i++) {
                if (Float.isNaN(v[i])) count[0]++;
                else if (Float.isInfinite(v[i])) count[1]++;
            }
        }
        return count;
    }

    /**
     * Whether a word of {@code [from, to)} holds a non-finite lane. Without a branch per word the loop
     * runs at memory speed; the rare piece that answers yes is counted lane by lane.
     */
    private static boolean anyInWords(MemorySegment d, long from, long to, Bits b) {
        long acc = 0;
        for (long w = from; w < to; w++) acc |= b.flags(d.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * w));
        return acc != 0;
    }

    /** Counts the non-finite lanes of words {@code [from, to)}, looking lane by lane only at words that hold one. */
    private static void lanes(MemorySegment d, long from, long to, Bits b, long[] count) {
        int bits = 8 * b.bytes;
        for (long w = from; w < to; w++) {
            long v = d.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * w);
            if (b.flags(v) != 0) {
                for (int l = 0; l < b.perWord; l++) one(v >>> (bits * l), b, count);
            }
        }
    }

    private static long value(MemorySegment d, long i, Bits b) {
        return b.bytes == 4 ? d.get(ValueLayout.JAVA_INT_UNALIGNED, 4 * i) : d.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i);
    }

    private static void one(long v, Bits b, long[] count) {
        if ((v & b.exp) == b.exp) count[(v & b.mant) != 0 ? 0 : 1]++;
    }
}
