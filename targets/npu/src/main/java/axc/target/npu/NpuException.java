package axc.target.npu;

/** An error the simulator reported: its code ({@link NpuSim}'s constants) and message. */
public final class NpuException extends RuntimeException {
    private final int code;

    public NpuException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
