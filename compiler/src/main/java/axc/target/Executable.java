package axc.target;

import axc.model.LanguageModel;

import java.util.OptionalDouble;

/** A loaded artifact ready to run: a language model plus what it holds open. */
public interface Executable extends LanguageModel, AutoCloseable {
    /**
     * The bandwidth, in GB/s, of the memory this executable streams its weights from, measured now on
     * {@code bytes} of it: {@code axc bench} divides it by the weight bytes per token for the decode
     * roofline. Empty (the default) where the weights are in host memory, which the bench measures
     * itself; a GPU target answers with its device memory.
     */
    default OptionalDouble memoryBandwidthGbPerS(long bytes) {
        return OptionalDouble.empty();
    }

    /** The simulated time of the model's runs so far, where some of it runs on a simulated device; null otherwise. */
    default SimulatedClock simulated() {
        return null;
    }

    @Override
    void close();
}
