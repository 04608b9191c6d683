package axc.benchmarks;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

import java.util.Arrays;

/**
 * llama.cpp's prefill and decode speed on a GGUF, through its Java binding (llama.cpp as that jar
 * builds it), so `axc bench` can be compared with a peer measured minutes apart on the same machine:
 * pp = a prompt of {@code promptTokens} tokens evaluated with one generated token; tg = tokens
 * generated after a one-word prompt, greedy, end-of-text ignored. Medians over {@code repeat} runs.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar axc.benchmarks.LlamaCppPeer MODEL.gguf [threads] [pp] [tg] [repeat]}
 */
public final class LlamaCppPeer {
    private LlamaCppPeer() {
    }

    public static void main(String[] args) {
        String gguf = args[0];
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int pp = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int tg = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int repeat = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        try (LlamaModel llama = new LlamaModel(new ModelParameters().setModel(gguf).setCtxSize(pp + tg + 16)
                .setThreads(threads).setThreadsBatch(threads).setBatchSize(pp).setUbatchSize(pp).setGpuLayers(0))) {
            String prompt = " hello".repeat(pp);
            while (llama.encode(prompt).length > pp) prompt = prompt.substring(0, prompt.length() - 6);
            int promptLen = llama.encode(prompt).length;
            double[] pps = new double[repeat];
            double[] tgs = new double[repeat];
            run(llama, " hello", 8);   // warm-up
            for (int k = 0; k < repeat; k++) {
                long t0 = System.nanoTime();
                run(llama, prompt, 1);
                pps[k] = promptLen / ((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                run(llama, " hello", tg + 1);
                long t2 = System.nanoTime();
                run(llama, " hello", 1);
                // The one-token run's time (prompt + first token) taken off leaves tg decode steps.
                tgs[k] = tg / (((t2 - t1) - (System.nanoTime() - t2)) / 1e9);
            }
            System.out.printf("llama.cpp %s, %d threads: pp%d %.2f (%.2f-%.2f) tok/s, tg%d %.2f (%.2f-%.2f) tok/s%n", gguf, threads,
                    promptLen, median(pps), min(pps), max(pps), tg, median(tgs), min(tgs), max(tgs));
        }
        System.exit(0);   // the binding's threads keep a plain main alive
    }

    private static void run(LlamaModel llama, String prompt, int n) {
        llama.complete(new InferenceParameters(prompt).setNPredict(n).setTemperature(0f).setTopK(1).setIgnoreEos(true).setCachePrompt(false));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
