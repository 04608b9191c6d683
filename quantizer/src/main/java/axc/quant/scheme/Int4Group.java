package axc.quant.scheme;

/**
 * 4-bit weights with one scale (and, when asymmetric, one zero point) per output row and per group of
 * {@code groupSize} consecutive input columns.
 *
 * <p>Symmetric: levels -8..7 with {@code scale = max|w| / 7}, so the group's extreme maps to +-7 and
 * -8 is reached only by values pushed past the range (GPTQ's error feedback, AWQ's clipping). This is
 * the convention of the GPTQ/AWQ reference code and of packed int4 kernels that store {@code q + 8}.
 *
 * <p>Asymmetric: levels 0..15 with {@code scale = (max - min) / 15} and {@code zero = round(-min /
 * scale)}, where the range is first widened to contain 0 so that 0 is exactly representable and the
 * zero point always lies in 0..15.
 *
 * @param groupSize input columns per group; the last group of a row may be shorter
 * @param symmetric {@code true} for levels -8..7 and no zero point
 */
public record Int4Group(int groupSize, boolean symmetric) implements QuantScheme {
    public Int4Group {
        if (groupSize <= 0) throw new IllegalArgumentException("int4 group size must be positive: " + groupSize);
    }

    @Override
    public String name() {
        return "int4-g" + groupSize + (symmetric ? "-sym" : "-asym");
    }
}
