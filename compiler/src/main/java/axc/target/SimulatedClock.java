package axc.target;

/**
 * Time spent on a simulated device, as its simulator counted it: the seconds of every program run so
 * far, the device memory's bandwidth, and the weight bytes one step streams from it. {@code axc bench}
 * reports a simulating target's speed from this rather than from the host's clock.
 */
public record SimulatedClock(double seconds, double dramGbPerS, long weightBytesPerStep) {
    /** Both clocks together (segments of one artifact on the same device). */
    public SimulatedClock plus(SimulatedClock o) {
        return new SimulatedClock(seconds + o.seconds, Math.max(dramGbPerS, o.dramGbPerS), weightBytesPerStep + o.weightBytesPerStep);
    }
}
