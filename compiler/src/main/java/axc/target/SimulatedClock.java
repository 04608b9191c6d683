package axc.target;

/**
 * Time spent on a simulated device, as its simulator counted it: the seconds of every program run so
 * far, the device memory's bandwidth, the weight bytes one step streams from it, and the rows of a
 * prefill chunk (a prefill streams the weights once per chunk; 0 when the device has no chunked
 * prefill). {@code axc bench} reports a simulating target's speed from this rather than from the
 * host's clock, and bounds decode and prefill by it.
 */
public record SimulatedClock(double seconds, double dramGbPerS, long weightBytesPerStep, int prefillChunkRows) {
    /** Both clocks together (segments of one artifact on the same device). */
    public SimulatedClock plus(SimulatedClock o) {
        return new SimulatedClock(seconds + o.seconds, Math.max(dramGbPerS, o.dramGbPerS), weightBytesPerStep + o.weightBytesPerStep,
                Math.max(prefillChunkRows, o.prefillChunkRows));
    }

    /** Decode's bound: one step streams every weight once. 0 when nothing is streamed. */
    public double decodeBoundTokensPerS() {
        return weightBytesPerStep > 0 ? dramGbPerS * 1e9 / weightBytesPerStep : 0;
    }

    /**
     * A prompt of {@code tokens}'s bound: one weight pass per chunk of {@link #prefillChunkRows}, the
     * last one padded. 0 without chunks or weights.
     */
    public double prefillBoundTokensPerS(int tokens) {
        if (tokens <= 0 || prefillChunkRows <= 0 || weightBytesPerStep <= 0) return 0;
        long passes = (tokens + prefillChunkRows - 1) / prefillChunkRows;
        return tokens * decodeBoundTokensPerS() / passes;
    }
}
