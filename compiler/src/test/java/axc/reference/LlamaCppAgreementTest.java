package axc.reference;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.convert.Converter;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.tokenizer.Tokenizer;
import axc.progress.Progress;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.CacheType;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.Sampler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference forward pass agrees with llama.cpp (build 4916, through the {@code de.kherud:llama} JNI
 * binding, CPU, F32 KV cache) on generated Qwen2 checkpoints with F32 weights, converted to F32 GGUF by
 * axc: a tied and an untied {@code tiny} model (hidden 64, 2 layers) and a {@code small}-like one
 * (hidden 128, 3 layers, GQA 4:1, tied), each on an English, a code, a Korean and a ChatML prompt.
 *
 * <ul>
 *   <li><b>Tokens.</b> llama.cpp's {@code encode} of every prompt equals axc's {@link Tokenizer} ids.</li>
 *   <li><b>Greedy continuations.</b> 16 tokens from llama.cpp's {@code complete} equal the reference's
 *       argmax continuation, compared as text (the binding returns text, not ids). Both sides ban the
 *       same ids: Qwen2's added tokens and the padding rows (151643 and up), so that neither end-of-text
 *       handling nor the rendering of control tokens differs between them.</li>
 *   <li><b>Logit differences.</b> The binding cannot return probabilities safely ({@code setNProbs}
 *       aborts the JVM inside llama.cpp's JSON code), so logits are probed through the sampler instead:
 *       with our top-1 token A and a rival X of rank 2, 3, 11 and 101 (or the next one whose text differs)
 *       at the first generated position,
 *       llama.cpp must still pick A when X's logit is raised by our margin {@code l[A]-l[X]} minus
 *       {@link #LOGIT_TOL}, and pick X when raised by the margin plus {@link #LOGIT_TOL}. That bounds
 *       |llama.cpp's margin − ours| by {@value #LOGIT_TOL}.</li>
 * </ul>
 *
 * <p><b>Tolerance reached</b> (measured by bisecting the bias): llama.cpp's logit differences match ours
 * to at most 9.2e-6 absolute, about 3e-7 of the top logit (23–31 for the tied tiny model, 13–14 for the
 * small-like one, 4–5 for the untied tiny one, where every difference was within the bisection's 1.2e-6
 * resolution); the tests assert {@value #LOGIT_TOL}. All 16-token greedy continuations agree, including
 * a step where our top-2 margin is only 6.3e-5. Should a continuation ever diverge, the test accepts it
 * only where our top-2 margin at the diverging step is below {@link #LOGIT_TOL}, i.e. a tie within
 * float32 noise.
 *
 * <p>Greedy is checked rather than assumed: the sampler chain is top-k (k=1) then temperature 0, no
 * repetition penalty; the bias probes flip the pick exactly at our margin (a sampling sampler would
 * not), and a different seed gives the same continuation.
 */
class LlamaCppAgreementTest {
    /** First id of Qwen2's added tokens; everything from here on (specials, padding rows) is banned in both samplers. */
    static final int FIRST_ADDED = 151643;
    static final int STEPS = 16;
    static final float LOGIT_TOL = 1e-4f;
    /** Ranks (0 = top-1) of the rivals probed at the first generated position. */
    static final int[] PROBED_RANKS = {1, 2, 10, 100};

    static final Map<String, String> PROMPTS = new LinkedHashMap<>();

    static {
        PROMPTS.put("english", "The quick brown fox jumps over the lazy dog. Then it");
        PROMPTS.put("code", "def fibonacci(n):\n    if n < 2:\n        return n\n    return");
        PROMPTS.put("korean", "안녕하세요, 오늘 날씨가 정말 좋네요. 우리는");
        PROMPTS.put("chatml", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
    }

    static ModelSpec spec(String name) {
        ModelSpec tiny = ModelSpec.preset("tiny").withFamily(Family.QWEN2).withDtype(DType.F32);
        return switch (name) {
            case "tiny-tied" -> tiny.withTied(true);
            case "tiny-untied" -> tiny.withTied(false).withSeed(7);
            // The small preset's layout (head_dim 32, grouped KV heads) at a width that keeps the 151936-row head quick.
            case "small-like" -> new ModelSpec(Family.QWEN2, 128, 3, 4, 1, 32, 352, ModelSpec.QWEN_VOCAB, true, DType.F32, 1, 11);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Every generated checkpoint carries the same Qwen2 tokenizer files: loaded once. */
    static Tokenizer tok;

    @BeforeAll
    static void quiet() {
        LlamaModel.setLogger(LogFormat.TEXT, (level, msg) -> {
            if (level == LogLevel.ERROR) System.err.println("llama.cpp: " + msg.strip());
        });
    }

    /** One thread: llama.cpp's workers spin while waiting, which is slow on cores shared with other work. */
    static LlamaModel llama(Path gguf) {
        return new LlamaModel(new ModelParameters().setModel(gguf.toString()).setCtxSize(256).setThreads(1).setThreadsBatch(1).setGpuLayers(0)
                .setCacheTypeK(CacheType.F32).setCacheTypeV(CacheType.F32).skipWarmup().disableLog());
    }

    /** Greedy decoding with the added tokens banned and, optionally, one token's logit raised by {@code bias}. */
    static InferenceParameters greedy(String prompt, int n, int seed, int token, float bias) {
        Map<Integer, Float> biases = new LinkedHashMap<>();
        // -1e30 rather than -inf: the binding writes the value into JSON as Java prints it.
        for (int i = FIRST_ADDED; i < ModelSpec.QWEN_VOCAB; i++) biases.put(i, -1e30f);
        if (token >= 0) biases.put(token, bias);
        return new InferenceParameters(prompt).setNPredict(n).setSamplers(Sampler.TOP_K, Sampler.TEMPERATURE)
                .setTopK(1).setTemperature(0f).setRepeatPenalty(1f).setIgnoreEos(true).setSeed(seed)
                .setCachePrompt(true).setTokenIdBias(biases);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied", "tiny-untied", "small-like"})
    void referenceAgreesWithLlamaCpp(String name, @TempDir Path tmp) {
        Path dir = tmp.resolve("hf");
        CheckpointGenerator.write(spec(name), dir);
        Path gguf = tmp.resolve("model.gguf");
        Converter.convert(dir, gguf, Converter.Format.GGUF, DType.F32, 0, Progress.SILENT);
        if (tok == null) tok = Tokenizer.load(dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir); LlamaModel llama = llama(gguf)) {
            ReferenceModel ref = new ReferenceModel(new Weights(ck.tensors(), ck.config(), dir));
            for (var p : PROMPTS.entrySet()) {
                String what = name + " / " + p.getKey();
                int[] ids = tok.encode(p.getValue());
                assertArrayEquals(ids, llama.encode(p.getValue()), "tokens of " + what);

                KvCache cache = ref.newCache(ids.length + STEPS);
                float[] logits = null;
                for (int t : ids) logits = ref.forward(cache, t);
                float[] first = logits;
                int[] ours = new int[STEPS];
                float[] margins = new float[STEPS];
                for (int i = 0; i < STEPS; i++) {
                    ours[i] = argmax(logits);
                    margins[i] = logits[ours[i]] - runnerUp(logits, ours[i]);
                    logits = ref.forward(cache, ours[i]);
                }
                String theirs = llama.complete(greedy(p.getValue(), STEPS, 1, -1, 0));
                checkContinuation(what, tok, ours, margins, theirs);
                assertEquals(theirs, llama.complete(greedy(p.getValue(), STEPS, 12345, -1, 0)), "another seed, " + what);

                probeLogitDifferences(what, tok, llama, p.getValue(), first);
            }
        }
    }

    /** Equal text, or a divergence at a step where our top two logits are tied within {@link #LOGIT_TOL}. */
    static void checkContinuation(String what, Tokenizer tok, int[] ours, float[] margins, String theirs) {
        String got = lossy(theirs);
        if (lossy(tok.decode(ours)).equals(got)) return;
        int step = 0;
        while (step < ours.length && got.startsWith(withoutPartialEnd(lossy(tok.decode(Arrays.copyOf(ours, step + 1)))))) step++;
        float tightest = Float.POSITIVE_INFINITY;
        for (int i = Math.max(0, step - 3); i <= Math.min(step, ours.length - 1); i++) tightest = Math.min(tightest, margins[i]);
        assertTrue(tightest < LOGIT_TOL, what + ": llama.cpp continues '" + theirs + "', the reference '" + tok.decode(ours)
                + "', diverging at step " + step + " where our top-2 margin is " + tightest);
    }

    /**
     * Runs of U+FFFD as one: the binding decodes llama.cpp's bytes with Java's UTF-8 decoder, our tokenizer
     * replaces malformed UTF-8 as Hugging Face does, and the two may count replacement characters differently.
     */
    static String lossy(String s) {
        return s.replaceAll("\uFFFD+", "\uFFFD");
    }

    /** Drops the replacement character an unfinished UTF-8 sequence at the end decodes to. */
    static String withoutPartialEnd(String s) {
        return s.endsWith("\uFFFD") ? s.substring(0, s.length() - 1) : s;
    }

    static void probeLogitDifferences(String what, Tokenizer tok, LlamaModel llama, String prompt, float[] l) {
        Integer[] order = IntStream.range(0, FIRST_ADDED).boxed().sorted((a, b) -> Float.compare(l[b], l[a])).toArray(Integer[]::new);
        int a = order[0];
        String textA = tok.decode(new int[]{a});
        assertTrue(!textA.isEmpty() && textA.indexOf('\uFFFD') < 0, what + ": the top token is not whole text; probe another prompt");
        int rank = 0;
        for (int wanted : PROBED_RANKS) {
            // The pick is read back as text: the two tokens must decode to distinct, complete text.
            rank = Math.max(wanted, rank + 1);
            while (!distinct(textA, tok.decode(new int[]{order[rank]}))) rank++;
            int x = order[rank];
            String textX = tok.decode(new int[]{x});
            float margin = l[a] - l[x];
            assertEquals(textA, llama.complete(greedy(prompt, 1, 1, x, margin - LOGIT_TOL)),
                    what + ": llama.cpp's margin to rank " + (rank + 1) + " is below ours (" + margin + ") by more than " + LOGIT_TOL);
            assertEquals(textX, llama.complete(greedy(prompt, 1, 1, x, margin + LOGIT_TOL)),
                    what + ": llama.cpp's margin to rank " + (rank + 1) + " is above ours (" + margin + ") by more than " + LOGIT_TOL);
        }
    }

    static boolean distinct(String a, String b) {
        return !a.equals(b) && !a.isEmpty() && !b.isEmpty() && a.indexOf('\uFFFD') < 0 && b.indexOf('\uFFFD') < 0;
    }

    /** Argmax over the ids both sides may pick. */
    static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < FIRST_ADDED; i++) if (l[i] > l[a]) a = i;
        return a;
    }

    static float runnerUp(float[] l, int top) {
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < FIRST_ADDED; i++) if (i != top) second = Math.max(second, l[i]);
        return second;
    }
}
