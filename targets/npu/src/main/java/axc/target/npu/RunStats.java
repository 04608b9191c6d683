package axc.target.npu;

/** A run's figures, copied out of {@code npu_stats}. */
public record RunStats(double cycles, double us, long instructions, long dramReadBytes, long dramWriteBytes, long[] dramClassBytes,
                       double dramGbPerS, double tuUtilization, long usefulMacs, long spmHighWater, long shmHighWater,
                       double[] busy, double[] stall, double[] idle) {
    static RunStats of(NpuSim.Stats s) {
        int q = s.queues();
        double[] busy = new double[q], stall = new double[q], idle = new double[q];
        for (int i = 0; i < q; i++) {
            busy[i] = s.busy(i);
            stall[i] = s.stall(i);
            idle[i] = s.idle(i);
        }
        long[] cls = new long[4];
        for (int i = 0; i < 4; i++) cls[i] = s.dram_class_bytes(i);
        return new RunStats(s.cycles(), s.us(), s.instructions(), s.dram_read_bytes(), s.dram_write_bytes(), cls, s.dram_gbps(),
                s.tu_utilization(), s.useful_macs(), s.spm_high_water(), s.shm_high_water(), busy, stall, idle);
    }
}
