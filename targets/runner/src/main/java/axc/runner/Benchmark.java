package axc.runner;

import axc.model.LanguageModel;
import axc.partition.Boundary;
import axc.partition.PartitionedModel;
import axc.target.Executable;
import axc.target.SimulatedClock;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Prefill and decode speed, as llama-bench measures them: a prompt of random token ids (pp), then
 * greedy decoding (tg), repeated; medians with their spread, peak resident memory and the weight bytes
 * read per decoded token.
 */
public final class Benchmark {
    private Benchmark() {
    }

    public record Report(
            @JsonProperty("model") String model,
            @JsonProperty("backend") String backend,
            @JsonProperty("simulated") boolean simulated,
            @JsonProperty("threads") int threads,
            @JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("gen_tokens") int genTokens,
            @JsonProperty("repeat") int repeat,
            @JsonProperty("prefill_tokens_per_s") double prefill,
            @JsonProperty("prefill_min") double prefillMin,
            @JsonProperty("prefill_max") double prefillMax,
            @JsonProperty("decode_tokens_per_s") double decode,
            @JsonProperty("decode_min") double decodeMin,
            @JsonProperty("decode_max") double decodeMax,
            @JsonProperty("weight_bytes") long weightBytes,
            @JsonProperty("decode_gb_per_s") double decodeGbPerS,
            @JsonProperty("file_bytes") long fileBytes,
            @JsonProperty("parameters") long parameters,
            @JsonProperty("peak_rss_bytes") long peakRssBytes,
            @JsonProperty("read_gb_per_s") double readGbPerS,
            @JsonProperty("roofline_tokens_per_s") double rooflineTokensPerS,
            @JsonProperty("roofline_fraction") double rooflineFraction,
            @JsonProperty("prefill_roofline_tokens_per_s") double prefillRooflineTokensPerS,
            @JsonProperty("prefill_roofline_fraction") double prefillRooflineFraction,
            @JsonProperty("segments") int segments,
            @JsonProperty("boundary_values_per_token") double boundaryValuesPerToken,
            @JsonProperty("boundary_bytes_per_token") double boundaryBytesPerToken,
            @JsonProperty("host_seconds_per_token") double hostSecondsPerToken,
            @JsonProperty("with_host_decode_tokens_per_s") double withHostDecode,
            @JsonProperty("with_host_prefill_tokens_per_s") double withHostPrefill) {
    }

    /** Runs without a bandwidth probe. */
    public static Report run(LoadedModel m, int promptTokens, int genTokens, int repeat, int threads) {
        return run(m, promptTokens, genTokens, repeat, threads, 0);
    }

    /**
     * With {@code probeBytes > 0}, the read bandwidth is measured on that much memory with
     * {@code threads} threads right before the model runs, and decode is reported against the
     * roofline it gives (bandwidth / weight bytes per token).
     */
    public static Report run(LoadedModel m, int promptTokens, int genTokens, int repeat, int threads, long probeBytes) {
        LanguageModel model = m.model();
        // The executable measures its own memory when its weights are not in host memory (a GPU's).
        java.util.OptionalDouble device = probeBytes > 0 && model instanceof axc.target.Executable e ? e.memoryBandwidthGbPerS(probeBytes) : java.util.OptionalDouble.empty();
        double bandwidth = probeBytes <= 0 ? 0 : device.isPresent() ? device.getAsDouble() : BandwidthProbe.readGbPerS(probeBytes, threads, 5);
        SplittableRandom r = new SplittableRandom(1234);
        int vocab = m.hasTokenizer() ? Math.min(model.vocabRows(), m.tokenizer().vocabSize()) : model.vocabRows();
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(Math.max(1, Math.min(vocab, 100_000)));
        // Warm up on a short run so JIT compilation is not timed.
        warmup(model, Math.min(8, promptTokens), Math.min(4, genTokens), prompt);
        double[] pp = new double[repeat];
        double[] tg = new double[repeat];
        // On a simulated device, the same rates with the host's time in the cpu segments added: what a
        // step would take with a real device beside this host (the two run one after the other).
        double[] ppHost = new double[repeat];
        double[] tgHost = new double[repeat];
        double[] hostPerToken = new double[repeat];
        // A partitioned artifact: what its decode steps hand between the two targets (counted by the model, totals).
        PartitionedModel parts = model instanceof PartitionedModel p ? p : null;
        // A model (partly) on a simulated device is timed by the simulator's clock, not the host's.
        Executable exe = model instanceof Executable e ? e : null;
        boolean simulated = exe != null && exe.simulated() != null;
        Boundary decodeCrossed = Boundary.NONE;
        for (int k = 0; k < repeat; k++) {
            if (promptTokens > 0) {
                LanguageModel.Session s = model.newSession(promptTokens);
                double sim0 = simulated ? exe.simulated().seconds() : 0;
                double host0 = hostSeconds(parts);
                long t0 = System.nanoTime();
                s.prefillLast(prompt);
                double secs = simulated ? exe.simulated().seconds() - sim0 : (System.nanoTime() - t0) / 1e9;
                pp[k] = promptTokens / secs;
                ppHost[k] = promptTokens / (secs + hostSeconds(parts) - host0);
            }
            if (genTokens > 0) {
                LanguageModel.Session s = model.newSession(genTokens + 1);
                float[] logits = s.next(prompt.length > 0 ? prompt[0] : 0);
                Boundary before = parts == null ? Boundary.NONE : parts.crossed();
                double sim0 = simulated ? exe.simulated().seconds() : 0;
                double host0 = hostSeconds(parts);
                long t0 = System.nanoTime();
                for (int i = 0; i < genTokens; i++) logits = s.next(Sampler.argmax(logits));
                double secs = simulated ? exe.simulated().seconds() - sim0 : (System.nanoTime() - t0) / 1e9;
                tg[k] = genTokens / secs;
                double host = hostSeconds(parts) - host0;
                tgHost[k] = genTokens / (secs + host);
                hostPerToken[k] = host / genTokens;
                if (parts != null) decodeCrossed = decodeCrossed.plus(parts.crossed().values() - before.values(), parts.crossed().bytes() - before.bytes());
            }
        }
        long params = 0; // counted from the config: embeddings + layers
        var c = model.config();
        params = (long) c.vocabSize() * c.hiddenSize() * (c.tieWordEmbeddings() ? 1 : 2)
                + (long) c.numLayers() * ((long) c.hiddenSize() * (c.qDim() + 2L * c.kvDim()) + (long) c.qDim() * c.hiddenSize()
                + 3L * c.hiddenSize() * c.intermediateSize());
        double decode = median(tg);
        double roofline = bandwidth > 0 && model.weightBytesPerToken() > 0 ? bandwidth * 1e9 / model.weightBytesPerToken() : 0;
        // A simulated device's prefill streams the weights once per chunk: its bound, as decode's. On a
        // cpu the prefill is compute-bound, and no bound is given (0).
        double prefillRoofline = 0;
        if (simulated) {
            // The simulated device's own bound: the weights it streams per step at its DRAM bandwidth.
            SimulatedClock clock = exe.simulated();
            bandwidth = clock.dramGbPerS();
            roofline = clock.decodeBoundTokensPerS();
            prefillRoofline = clock.prefillBoundTokensPerS(promptTokens);
        }
        long weightBytes = simulated ? exe.simulated().weightBytesPerStep() : model.weightBytesPerToken();
        return new Report(m.name(), model.backend(), simulated, threads, promptTokens, genTokens, repeat, median(pp), min(pp), max(pp),
                decode, min(tg), max(tg), weightBytes, decode * weightBytes / 1e9, m.fileBytes(), params, peakRss(),
                bandwidth, roofline, roofline > 0 ? decode / roofline : 0,
                prefillRoofline, prefillRoofline > 0 && promptTokens > 0 ? median(pp) / prefillRoofline : 0,
                parts == null ? 1 : parts.partition().segments().size(), perToken(decodeCrossed.values(), genTokens, repeat),
                perToken(decodeCrossed.bytes(), genTokens, repeat),
                simulated && parts != null ? median(hostPerToken) : 0,
                simulated && parts != null && genTokens > 0 ? median(tgHost) : 0,
                simulated && parts != null && promptTokens > 0 ? median(ppHost) : 0);
    }

    /** The host's seconds in a partitioned model's unsimulated segments so far (0 for other models). */
    private static double hostSeconds(PartitionedModel parts) {
        return parts == null ? 0 : parts.hostSeconds();
    }

    private static double perToken(long total, int genTokens, int repeat) {
        return genTokens == 0 ? 0 : total / ((double) genTokens * repeat);
    }

    private static void warmup(LanguageModel model, int p, int g, int[] prompt) {
        if (p == 0 && g == 0) return;
        LanguageModel.Session s = model.newSession(p + g + 1);
        float[] l = s.next(prompt.length > 0 ? prompt[0] : 0);
        for (int i = 1; i < p; i++) l = s.next(prompt[i]);
        for (int i = 0; i < g; i++) l = s.next(Sampler.argmax(l));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? 0 : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    /** VmHWM from /proc/self/status (Linux); 0 where unavailable. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return 0;
    }

    /** The llama-bench style markdown table. */
    public static String markdown(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | size | params | backend | threads | test | t/s |\n");
        sb.append("| --- | ---: | ---: | --- | ---: | --- | ---: |\n");
        String size = String.format("%.2f MiB", r.fileBytes() / 1048576.0);
        String params = String.format("%.2f M", r.parameters() / 1e6);
        if (r.promptTokens() > 0) {
            sb.append(String.format("| %s | %s | %s | %s | %d | pp%d | %.2f (%.2f-%.2f) |%n", r.model(), size, params, r.backend(), r.threads(),
                    r.promptTokens(), r.prefill(), r.prefillMin(), r.prefillMax()));
        }
        if (r.genTokens() > 0) {
            sb.append(String.format("| %s | %s | %s | %s | %d | tg%d | %.2f (%.2f-%.2f) |%n", r.model(), size, params, r.backend(), r.threads(),
                    r.genTokens(), r.decode(), r.decodeMin(), r.decodeMax()));
        }
        sb.append(String.format("%nweights read per token: %.1f MiB (%.2f GB/s at the median decode rate); peak RSS %.1f MiB%n",
                r.weightBytes() / 1048576.0, r.decodeGbPerS(), r.peakRssBytes() / 1048576.0));
        if (r.simulated()) {
            sb.append(String.format("SIMULATED: t/s above are the simulated device's time for the segments it runs (a partition's cpu"
                    + " segments are added on the line below); its DRAM %.1f GB/s over the weights it streams per step gives a decode bound of %.1f tok/s; decode at %.0f%% of it%n",
                    r.readGbPerS(), r.rooflineTokensPerS(), 100 * r.rooflineFraction()));
            if (r.prefillRooflineTokensPerS() > 0) {
                sb.append(String.format("SIMULATED: a prompt of %d streams the weights once per prefill chunk: a prefill bound of %.1f tok/s; prefill at %.0f%% of it%n",
                        r.promptTokens(), r.prefillRooflineTokensPerS(), 100 * r.prefillRooflineFraction()));
            }
            if (r.withHostDecode() > 0 || r.withHostPrefill() > 0) {
                sb.append(String.format("with the cpu segments' time on this host added (measured, %d threads; %.3f ms per decoded token): decode %.1f tok/s, prefill %.1f tok/s%n",
                        r.threads(), 1e3 * r.hostSecondsPerToken(), r.withHostDecode(), r.withHostPrefill()));
            }
        } else if (r.readGbPerS() > 0) {
            sb.append(String.format("memory read bandwidth (measured now, %d threads): %.1f GB/s; decode roofline %.1f tok/s; decode at %.0f%% of it%n",
                    r.threads(), r.readGbPerS(), r.rooflineTokensPerS(), 100 * r.rooflineFraction()));
        }
        if (r.segments() > 1) {
            sb.append(String.format("partitioned: %d segments (%s); per decoded token %.1f values, %.1f KiB handed between the targets%n",
                    r.segments(), r.backend(), r.boundaryValuesPerToken(), r.boundaryBytesPerToken() / 1024.0));
        }
        return sb.toString();
    }
}
