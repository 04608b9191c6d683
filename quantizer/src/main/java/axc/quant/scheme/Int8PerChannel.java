package axc.quant.scheme;

/**
 * 8-bit symmetric weights with one scale per output row: {@code scale = max|w| / 127}, levels
 * -127..127. The level -128 is left out so that the grid is symmetric and negation is exact, as in
 * SmoothQuant's and most int8 GEMM kernels' weight format.
 */
public record Int8PerChannel() implements QuantScheme {
    @Override
    public String name() {
        return "int8";
    }
}
