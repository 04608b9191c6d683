package axc.quant.scheme;

/**
 * How a linear layer's weights (and, for {@link W8A8}, its input activations) are quantized.
 *
 * <p>Sealed so that every algorithm can switch over the schemes exhaustively; each scheme is a small
 * record of its parameters. {@link #name()} is the stable spelling used in recipes and file metadata.
 */
public sealed interface QuantScheme permits Int4Group, Int8PerChannel, W8A8 {
    /** A short stable name, e.g. {@code int4-g128-asym}, {@code int8}, {@code w8a8-sq0.5}. */
    String name();
}
