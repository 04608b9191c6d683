package axc.quant.scheme;

/**
 * A linear layer's weight, {@code rows x cols} row-major (the Hugging Face {@code [out, in]} layout):
 * {@code y = W x}. The array is shared, not copied.
 *
 * @param weight {@code rows * cols} values
 * @param rows output channels
 * @param cols input channels
 */
public record Linear(float[] weight, int rows, int cols) {
    public Linear {
        if (rows <= 0 || cols <= 0 || weight.length != (long) rows * cols)
            throw new IllegalArgumentException("weight of " + weight.length + " values is not " + rows + " x " + cols);
    }
}
