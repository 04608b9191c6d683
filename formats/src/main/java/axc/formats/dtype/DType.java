package axc.formats.dtype;

/**
 * Element types of tensors, in memory and on disk. Block-quantized types store {@link #blockSize()}
 * elements in {@link #blockBytes()} bytes; plain types have a block of one element. On-disk ids live in
 * the format packages ({@code SafetensorsDType}, {@code GgufType}), never as ordinals of this enum.
 */
public enum DType {
    F64(1, 8, true),
    F32(1, 4, true),
    F16(1, 2, true),
    BF16(1, 2, true),
    F8_E4M3(1, 1, true),
    F8_E5M2(1, 1, true),
    I64(1, 8, false),
    I32(1, 4, false),
    I16(1, 2, false),
    I8(1, 1, false),
    U64(1, 8, false),
    U32(1, 4, false),
    U16(1, 2, false),
    U8(1, 1, false),
    BOOL(1, 1, false),
    // llama.cpp block types
    Q4_0(32, 18, true),
    Q4_1(32, 20, true),
    Q5_0(32, 22, true),
    Q5_1(32, 24, true),
    Q8_0(32, 34, true),
    Q8_1(32, 36, true),
    Q2_K(256, 84, true),
    Q3_K(256, 110, true),
    Q4_K(256, 144, true),
    Q5_K(256, 176, true),
    Q6_K(256, 210, true),
    Q8_K(256, 292, true);

    private final int blockSize;
    private final int blockBytes;
    private final boolean floating;

    DType(int blockSize, int blockBytes, boolean floating) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.floating = floating;
    }

    /** Elements per block: 1 for plain types. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Storage bits per element, including block scales (e.g. 8.5 for Q8_0). */
    public double bits() {
        return blockBytes * 8.0 / blockSize;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** True for the float types that a model can be cast to and computed in (F32, F16, BF16). */
    public boolean isFloatStorage() {
        return this == F32 || this == F16 || this == BF16;
    }

    public boolean isFloating() {
        return floating;
    }

    /**
     * Bytes needed for {@code elements} elements; throws if the count is not a whole number of blocks
     * or the size overflows 64 bits.
     */
    public long bytesFor(long elements) {
        if (elements < 0) throw new ArithmeticException("negative element count");
        if (elements % blockSize != 0) {
            throw new ArithmeticException(elements + " elements is not a multiple of the " + name() + " block of " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }
}
