package axc.formats.quant;

import axc.formats.dtype.DType;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A faster implementation of bulk round-to-nearest quantization than this module's Java kernels, found
 * with {@link ServiceLoader} (the cpu target registers its native AVX-512 kernels). It must produce
 * exactly the bytes {@link Quantizer#quantize} does, and the per-row error sums
 * {@link Quantizer#rowError} does; callers use it where {@link #supports} says so and fall back to the
 * Java kernels elsewhere. {@code -Daxc.quant.native=false} switches the lookup off.
 */
public interface RowQuantizerAccelerator {
    /** Whether rows of {@code cols} elements stored as {@code src} quantize to {@code dst} here. */
    boolean supports(DType src, DType dst, int cols);

    /**
     * Quantizes {@code rows} rows of {@code cols} elements, stored as {@code src} in {@code in} from byte
     * {@code inOffset} and {@code inRowBytes} apart (a native segment), into {@code out} (rows back to
     * back as {@code dst}). With {@code err} non-null, row r's squared error goes to {@code err[2r]} and
     * the squared norm of its input to {@code err[2r+1]}.
     */
    void quantize(DType src, MemorySegment in, long inOffset, long inRowBytes, DType dst, byte[] out, int cols, int rows, double[] err);

    /** The registered accelerator, if one loaded and it is not switched off. */
    static Optional<RowQuantizerAccelerator> find() {
        return RowQuantizerLookup.FOUND;
    }
}
