package axc.formats.quant;

import java.util.Optional;
import java.util.ServiceLoader;

/** The one lookup of a {@link RowQuantizerAccelerator}, made when first asked for. */
final class RowQuantizerLookup {
    static final Optional<RowQuantizerAccelerator> FOUND = "false".equals(System.getProperty("axc.quant.native"))
            ? Optional.empty()
            : ServiceLoader.load(RowQuantizerAccelerator.class).findFirst();

    private RowQuantizerLookup() {
    }
}
