package axc.formats.tensor;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /** A tensor holding {@code nan} NaNs and {@code inf} infinities among its {@code values}. */
    public record Finding(String tensor, long nan, long inf, long values) {
    }

    private NonFiniteScan() {
    }

    /** The tensors of {@code store} that hold a non-finite value, in file order; tensors are scanned in parallel. */
    public static List<Finding> scan(TensorStore store) {
        return store.tensors().parallelStream().map(t -> scan(t, store.data(t.name()))).filter(f -> f.nan() + f.inf() > 0).toList();
    }

    static Finding scan(TensorInfo t, MemorySegment d) {
        long n = TensorInfo.elementCount(t.shape());
        long[] count = new long[2]; // NaN, infinite
        switch (t.dtype()) {
            case F32 -> lanes(d, n, 4, 0x7F800000L, 0x007FFFFFL, count);
            case F16 -> lanes(d, n, 2, 0x7C00L, 0x03FFL, count);
            case BF16 -> lanes(d, n, 2, 0x7F80L, 0x007FL, count);
            default -> {
                DType dt = t.dtype();
                if (!dt.isFloating() || !Dequantizer.supports(dt)) return new Finding(t.name(), 0, 0, n);
                int chunk = (CHUNK / dt.blockSize()) * dt.blockSize();
                float[] v = new float[chunk];
                for (long at = 0; at < n; at += chunk) {
                    int m = (int) Math.min(chunk, n - at);
                    Dequantizer.dequantize(dt, d, dt.bytesFor(at), v, 0, m);
                    for (int i = 0; i < m; i++) {
                        if (Float.isNaN(v[i])) count[0]++;
                        else if (Float.isInfinite(v[i])) count[1]++;
                    }
                }
            }
        }
        return new Finding(t.name(), count[0], count[1], n);
    }

    /**
     * Counts values of {@code bytes} bytes whose exponent bits ({@code exp}) are all set: NaN when the
     * mantissa ({@code mant}) is not zero, infinite otherwise. Eight bytes at a time, lanes tested
     * together (SWAR): the exponent field is XORed with all ones, so a non-finite lane becomes zero,
     * and one test finds whether any lane of the word is zero. Only such rare words are looked at lane by lane.
     */
    private static void lanes(MemorySegment d, long n, int bytes, long exp, long mant, long[] count) {
        int bits = 8 * bytes, perWord = 8 / bytes;
        long laneExp = 0, ones = 0, high = 0;
        for (int l = 0; l < perWord; l++) {
            laneExp |= exp << (bits * l);
            ones |= 1L << (bits * l);
            high |= 1L << (bits * l + bits - 1);
        }
        long words = n / perWord;
        for (long w = 0; w < words; w++) {
            long v = d.get(ValueLayout.JAVA_LONG_UNALIGNED, 8 * w);
            long z = (v & laneExp) ^ laneExp;
            if (((z - ones) & ~z & high) != 0) {
                for (int l = 0; l < perWord; l++) one(v >>> (bits * l), exp, mant, count);
            }
        }
        for (long i = words * perWord; i < n; i++) {
            long v = bytes == 4 ? d.get(ValueLayout.JAVA_INT_UNALIGNED, 4 * i) : d.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i);
            one(v, exp, mant, count);
        }
    }

    private static void one(long v, long exp, long mant, long[] count) {
        if ((v & exp) == exp) count[(v & mant) != 0 ? 0 : 1]++;
    }
}
