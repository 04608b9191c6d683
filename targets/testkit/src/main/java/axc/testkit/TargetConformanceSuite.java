package axc.testkit;

import axc.bundle.Bundle;
import axc.bundle.VerificationCache;
import axc.compile.ArtifactCompiler;
import axc.compile.Golden;
import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.io.AtomicOutput;
import axc.formats.io.Sha256;
import axc.formats.quant.Quantizer;
import axc.interp.Interpreter;
import axc.interp.KvState;
import axc.interp.StoredParams;
import axc.interp.Tensor;
import axc.ir.Graph;
import axc.ir.WeightScheme;
import axc.ir.testing.RandomGraphs;
import axc.ir.testing.RandomQwenBlocks;
import axc.ir.text.AxirPrinter;
import axc.model.LanguageModel;
import axc.partition.Partition;
import axc.partition.PartitionedModel;
import axc.pass.Pass;
import axc.pass.PassContext;
import axc.pass.PassPipeline;
import axc.passes.StandardPipeline;
import axc.progress.Progress;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import axc.target.Availability;
import axc.target.CompileOptions;
import axc.target.Executable;
import axc.target.FusionPattern;
import axc.target.GraphExecutable;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.Targets;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checks every target runs: a target's module has {@code XConformanceTest extends
 * TargetConformanceSuite} returning its provider, and these tests run for it.
 *
 * <ol>
 *   <li><b>op level</b> ({@link #opLevel()}, {@link #randomChains()}): every op alone, the weight-reading
 *       ops once per weight scheme the target lists (with epilogues and short chains), and random op
 *       chains ({@link RandomGraphs}); each graph is compiled into a graph artifact
 *       ({@link GraphArtifact}), loaded with {@link Target#loadGraph}, run over a prefill and two decode
 *       steps (so attention reads its KV cache back), and compared with the {@link Interpreter} on the
 *       same inputs and stored weights by normalised MSE, bound per scheme ({@link #nmseBound}).
 *       Graphs with a node {@link Target#supports} refuses are reported and aborted, not failed.</li>
 *   <li><b>fused vs unfused</b> ({@link #fusedVsUnfused()}): each {@link FusionPattern} the target declares,
 *       applied to random Qwen blocks ({@link RandomQwenBlocks}) after the shared passes, leaves the
 *       interpreter's outputs within bound, and the target's result on the fused graph matches the
 *       interpreter's on the unfused one; so does the whole pipeline {@code axc compile} runs for it.</li>
 *   <li><b>artifact round trip</b> ({@link #artifactRoundTrip()}): a generated tiny Qwen2 checkpoint compiled
 *       with {@link ArtifactCompiler} verifies, names the target and API version, loads through the target,
 *       reproduces the golden vectors stored in it, and a second compile is byte-identical. Model nodes the
 *       target refuses run on the fallback ({@link #fallbackProvider()}): the artifact is partitioned and
 *       loaded across both, and the refused nodes are reported.</li>
 *   <li><b>two-layer end to end</b> ({@link #twoLayerEndToEnd()}): generated 2-layer Qwen2 and Qwen3
 *       checkpoints compiled for the target continue a prompt greedily exactly as
 *       {@link ReferenceModel} does, with logits within {@link #logitsNmseBound()}.</li>
 * </ol>
 *
 * After the class a summary is printed (and kept in {@link #report()}): comparisons per check with
 * the worst NMSE, and the unsupported nodes grouped by op and reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TargetConformanceSuite {
    /** Positions each test state holds: a prefill of 3 and decode steps of 1 and 2 tokens. */
    private static final int[][] STEPS = {{3, 0}, {1, 3}, {2, 4}};
    private static final int[] PROMPT = {9707, 11, 1879, 0, 576, 4128, 13, 1096, 264, 1273};

    private Path work;

    private Target target;
    private ConformanceReport report;
    private final Map<Family, Path> checkpoints = new EnumMap<>(Family.class);
    private final Map<Family, Path> artifacts = new EnumMap<>(Family.class);
    private int files;

    // ---------------------------------------------------------------- hooks

    /** The target under test. */
    protected abstract TargetProvider provider();

    /**
     * The target that runs the model nodes this one refuses (default: the installed {@code cpu} target,
     * as {@code axc compile} uses). A target that refuses nodes of a Qwen model needs one at test scope
     * ({@code axc-target-cpu}); the kit's own tests stand the reference target in for it.
     */
    protected Optional<TargetProvider> fallbackProvider() {
        return Targets.find(Partition.FALLBACK).filter(p -> !p.id().equals(provider().id()));
    }

    /** Options the target is created with (default: 2 threads, no device file). */
    protected TargetOptions targetOptions() {
        return new TargetOptions(2, null, Map.of());
    }

    /**
     * Weight schemes to test: by default every scheme {@code TargetInfo.schemes()} lists that the kit can
     * generate ({@link Schemes#parse}); listed names it cannot generate are noted in the report.
     */
    protected List<WeightScheme> schemes() {
        List<WeightScheme> out = new ArrayList<>();
        for (String listed : target().info().schemes()) {
            var s = Schemes.parse(listed);
            if (s.isEmpty()) {
                if (!listed.equals("all")) report().note("scheme '" + listed + "' listed by the target is not one the kit knows; not tested");
                continue;
            }
            if (s.get() instanceof WeightScheme.Stored st && !Quantizer.supports(st.dtype())) {
                report().note("scheme '" + listed + "': the kit has no encoder for " + st.dtype() + "; not tested");
                continue;
            }
            if (!out.contains(s.get())) out.add(s.get());
        }
        return out;
    }

    /** NMSE bound of ops reading weights stored as {@code s} ({@link Bounds#defaultFor}); a graph uses the loosest of its schemes. */
    protected double nmseBound(WeightScheme s) {
        return Bounds.defaultFor(s);
    }

    /** NMSE bound of a model's logits against the reference model (round trip and end to end). */
    protected double logitsNmseBound() {
        return 1e-4;
    }

    /** Fraction of golden positions whose argmax the loaded artifact must reproduce. */
    protected double minTop1() {
        return 0.99;
    }

    /** Random op chains checked ({@link #randomChains()}). */
    protected int randomChainCount() {
        return 24;
    }

    /** Random Qwen blocks per fusion pattern ({@link #fusedVsUnfused()}). */
    protected int qwenBlockCount() {
        return 8;
    }

    /** Tokens generated greedily in the end-to-end check. */
    protected int generatedTokens() {
        return 8;
    }

    // ---------------------------------------------------------------- lifecycle

    @BeforeAll
    void probeTarget() {
        Availability a = provider().probe();
        assertTrue(a.available(), () -> "target " + provider().id() + " cannot run here: " + a.reason()
                + " (tag the conformance test, e.g. @Tag(\"gpu\"), so it runs only where it can)");
    }

    @AfterAll
    void printReport() {
        System.out.print(report().summary());
        deleteWork();
    }

    /** The target under test, created once per test class. */
    protected final synchronized Target target() {
        if (target == null) target = provider().create(targetOptions());
        return target;
    }

    /** What this run compared and which nodes the target refused. */
    protected final synchronized ConformanceReport report() {
        if (report == null) report = new ConformanceReport(provider().id());
        return report;
    }

    // ---------------------------------------------------------------- 1. op level

    @TestFactory
    Stream<DynamicTest> opLevel() {
        WeightScheme vectors = vectorScheme();
        List<OpCases.Case> cases = new ArrayList<>(OpCases.weightless(vectors));
        for (WeightScheme s : schemes()) cases.addAll(OpCases.withWeights(s, vectors));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> checkGraph("op", c.name(), c.graph(), c.name().hashCode())));
    }

    @TestFactory
    Stream<DynamicTest> randomChains() {
        List<WeightScheme> schemes = schemes();
        WeightScheme fallback = vectorScheme();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < randomChainCount(); i++) {
            SplittableRandom r = new SplittableRandom(1000 + i);
            int width = new int[]{4, 8, 12, 16}[r.nextInt(4)];
            long seed = 1000 + i;
            boolean embed = r.nextBoolean();
            List<Integer> steps = new ArrayList<>();
            for (int k = 1 + r.nextInt(8); k > 0; k--) steps.add(r.nextInt(Integer.MAX_VALUE));
            Graph g = Schemes.adapt(RandomGraphs.build(width, embed, steps), schemes, fallback);
            String name = "chain-" + i + " (width " + width + (embed ? ", embedding" : "") + ", " + steps.size() + " steps)";
            tests.add(DynamicTest.dynamicTest(name, () -> checkGraph("chain", name, g, seed)));
        }
        return tests.stream();
    }

    @Provide
    Arbitrary<Graph> chainGraphs() {
        return RandomGraphs.graphs(8);
    }

    /**
     * Random chains again, drawn by jqwik (so a failure shrinks to the fewest steps); graphs with a node
     * the target refuses are skipped here, they are reported by {@link #randomChains()}.
     */
    @Property(tries = 25, edgeCases = EdgeCasesMode.NONE)
    void randomChainsProperty(@ForAll("chainGraphs") Graph g, @ForAll long seed) throws IOException {
        Graph adapted = Schemes.adapt(g, schemes(), vectorScheme());
        // A refused chain is reported, not discarded: a target that runs few ops (the npu target runs
        // matmuls only) would otherwise exhaust jqwik's discard budget and fail for running less.
        java.util.Map<String, String> refused = GraphArtifact.unsupported(target(), adapted);
        if (!refused.isEmpty()) {
            report().unsupported("chain-property", "random chain (seed " + seed + ")", refused);
            return;
        }
        checkGraph("chain-property", "random chain (seed " + seed + ")", adapted, seed);
    }

    @AfterProperty
    void printPropertyReport() {
        System.out.print(report().summary());
        deleteWork();
    }

    /**
     * Compiles {@code g} with stored weights for the target, runs it and the interpreter over the
     * steps of {@link #STEPS}, and checks the NMSE of all outputs against the loosest bound of the
     * graph's schemes. Aborts (reports) when the target refuses a node.
     */
    protected final void checkGraph(String check, String name, Graph g, long seed) throws IOException {
        MemoryTensors weights = StoredWeights.generate(g, seed);
        Path file = newFile("graph");
        GraphArtifact.Result r = GraphArtifact.compile(target(), g, weights, file);
        if (!r.written()) {
            report().unsupported(check, name, r.unsupported());
            Assumptions.abort("unsupported by " + provider().id() + ": " + r.unsupported());
        }
        List<List<Tensor>> expected = new ArrayList<>();
        Interpreter interp = new Interpreter(g, new StoredParams(weights));
        KvState state = interp.newState(8);
        for (int[] s : STEPS) expected.add(interp.run(state, RandomGraphs.inputs(g, s[0], s[1], seed + s[1])));
        Nmse nmse = new Nmse();
        try (Bundle b = Bundle.open(file, VerificationCache.none()); GraphExecutable exe = target().loadGraph(b)) {
            GraphExecutable.Session session = exe.newSession(8);
            for (int i = 0; i < STEPS.length; i++) {
                int[] s = STEPS[i];
                nmse.addAll(expected.get(i), session.run(RandomGraphs.inputs(g, s[0], s[1], seed + s[1])));
            }
        } finally {
            Files.deleteIfExists(file);
        }
        double bound = bound(g);
        report().compared(check, name, nmse.value(), bound);
        if (!(nmse.value() <= bound)) {
            fail(String.format(Locale.ROOT, "%s: nmse %.3g > %.3g against the interpreter%s%n%s", name, nmse.value(), bound,
                    nmse.problem() == null ? "" : " (" + nmse.problem() + ")", AxirPrinter.print(g)));
        }
    }

    private double bound(Graph g) {
        Set<WeightScheme> schemes = OpCases.schemesOf(g);
        return Bounds.loosest(schemes, this::nmseBound);
    }

    /** The scheme of norm weights and biases, and of matrices a scheme cannot store: f32, or the first float scheme the target lists. */
    private WeightScheme vectorScheme() {
        List<WeightScheme> s = schemes();
        if (s.contains(WeightScheme.F32)) return WeightScheme.F32;
        return s.stream().filter(WeightScheme::isFloat).findFirst().orElse(WeightScheme.F32);
    }

    // ---------------------------------------------------------------- 2. fused vs unfused

    @TestFactory
    Stream<DynamicTest> fusedVsUnfused() {
        List<WeightScheme> schemes = schemes();
        WeightScheme fallback = vectorScheme();
        List<Pass> standard = StandardPipeline.passes();
        List<Pass> shared = standard.subList(0, standard.size() - 1); // all but PlanMemory, which GraphArtifact runs
        List<DynamicTest> tests = new ArrayList<>();
        List<FusionPattern> patterns = target().fusionPatterns();
        if (patterns.isEmpty()) report().note("the target declares no fusion patterns; the compile pipeline is still checked");
        int[] fired = new int[patterns.size()];
        for (int p = 0; p < patterns.size(); p++) {
            FusionPattern pattern = patterns.get(p);
            int pi = p;
            for (int i = 0; i < qwenBlockCount(); i++) {
                long seed = 2000 + i;
                String name = pattern.name() + " on block " + seed;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Graph g = Schemes.adapt(RandomQwenBlocks.build(seed), schemes, fallback);
                    Graph before = new PassPipeline(shared).run(g, new PassContext());
                    Graph after = new PassPipeline(List.of(pattern.pass())).run(before, new PassContext());
                    if (!after.equals(before)) fired[pi]++;
                    MemoryTensors w = StoredWeights.generate(g, seed);
                    double nmse = new Nmse().addAll(flat(runInterp(before, w, seed)), flat(runInterp(after, w, seed))).value();
                    report().compared("fusion-interp", name, nmse, bound(g));
                    assertTrue(nmse <= bound(g), () -> name + ": the pattern changes the interpreter's outputs, nmse " + nmse + "\n" + AxirPrinter.print(before));
                    checkAgainst("fusion-target", name, after, g, w, seed);
                    if (pi == patterns.size() - 1 && seed == 2000 + qwenBlockCount() - 1) {
                        for (int q = 0; q < patterns.size(); q++) if (fired[q] == 0) report().note("fusion pattern " + patterns.get(q).name() + " never fired on the Qwen blocks");
                    }
                }));
            }
        }
        // The whole pipeline axc compile runs for this target: shared passes with the target's patterns before PlanMemory, then lowering.
        List<Pass> pipeline = new ArrayList<>(shared);
        for (FusionPattern p : patterns) pipeline.add(p.pass());
        for (int i = 0; i < qwenBlockCount(); i++) {
            long seed = 3000 + i;
            String name = "compile pipeline on block " + seed;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Graph g = Schemes.adapt(RandomQwenBlocks.build(seed), schemes, fallback);
                Graph fused = new PassPipeline(pipeline).run(g, new PassContext());
                checkAgainst("pipeline-target", name, fused, g, StoredWeights.generate(g, seed), seed);
            }));
        }
        return tests.stream();
    }

    /** The target's outputs on {@code compiled} against the interpreter's on {@code reference} (same params and inputs). */
    private void checkAgainst(String check, String name, Graph compiled, Graph reference, MemoryTensors w, long seed) throws IOException {
        Path file = newFile("fused");
        GraphArtifact.Result r = GraphArtifact.compile(target(), compiled, w, file);
        if (!r.written()) {
            report().unsupported(check, name, r.unsupported());
            Assumptions.abort("unsupported by " + provider().id() + ": " + r.unsupported());
        }
        List<List<Tensor>> expected = runInterp(reference, w, seed);
        Nmse nmse = new Nmse();
        try (Bundle b = Bundle.open(file, VerificationCache.none()); GraphExecutable exe = target().loadGraph(b)) {
            GraphExecutable.Session session = exe.newSession(8);
            for (int i = 0; i < STEPS.length; i++) {
                int[] s = STEPS[i];
                nmse.addAll(expected.get(i), session.run(RandomGraphs.inputs(reference, s[0], s[1], seed + s[1])));
            }
        } finally {
            Files.deleteIfExists(file);
        }
        double bound = bound(reference);
        report().compared(check, name, nmse.value(), bound);
        assertTrue(nmse.value() <= bound, () -> String.format(Locale.ROOT, "%s: nmse %.3g > %.3g%n%s", name, nmse.value(), bound, AxirPrinter.print(compiled)));
    }

    private static List<List<Tensor>> runInterp(Graph g, MemoryTensors w, long seed) {
        Interpreter interp = new Interpreter(g, new StoredParams(w));
        KvState state = interp.newState(8);
        List<List<Tensor>> out = new ArrayList<>();
        for (int[] s : STEPS) out.add(interp.run(state, RandomGraphs.inputs(g, s[0], s[1], seed + s[1])));
        return out;
    }

    private static List<Tensor> flat(List<List<Tensor>> steps) {
        return steps.stream().flatMap(List::stream).toList();
    }

    // ---------------------------------------------------------------- 3. artifact round trip

    @Test
    void artifactRoundTrip() throws IOException {
        Path a = artifact(Family.QWEN2);
        Path again = newFile("again");
        compile(checkpoint(Family.QWEN2), again);
        assertEquals(Sha256.of(a), Sha256.of(again), "compiling the same checkpoint twice gives byte-identical artifacts");
        Files.delete(again);
        try (Bundle b = Bundle.open(a, VerificationCache.none())) {
            assertEquals(Bundle.Verification.HASHED, b.verify());
            assertEquals(provider().id(), b.manifest().target());
            assertEquals(Integer.toString(TargetProvider.API_VERSION), b.manifest().targetApiVersion());
            Golden golden = Golden.parse(b.bytes(Golden.PROMPTS), b.bytes(Golden.LOGITS), a);
            assertTrue(golden.prompts().size() >= 1, "the artifact holds golden prompts");
            int positions = 0, agree = 0;
            try (Executable exe = load(b)) {
                for (int i = 0; i < golden.prompts().size(); i++) {
                    int[] ids = golden.prompts().get(i);
                    float[][] l = exe.newSession(ids.length).prefill(ids);
                    for (int p = 0; p < ids.length; p++) {
                        positions++;
                        if (argmax(l[p]) == golden.argmax().get(i)[p]) agree++;
                    }
                    double nmse = Nmse.of(golden.lastLogits().get(i), l[l.length - 1]);
                    report().compared("artifact-golden", "qwen2 tiny, golden prompt " + i, nmse, logitsNmseBound());
                    int pi = i;
                    assertTrue(nmse <= logitsNmseBound(), () -> "golden prompt " + pi + ": last-position logits nmse " + nmse + " > " + logitsNmseBound());
                }
            }
            double top1 = agree / (double) positions;
            assertTrue(top1 >= minTop1(), "golden argmax agreement " + top1 + " < " + minTop1());
        }
    }

    // ---------------------------------------------------------------- 4. two layers end to end

    @TestFactory
    Stream<DynamicTest> twoLayerEndToEnd() {
        return Stream.of(Family.QWEN2, Family.QWEN3).map(f -> DynamicTest.dynamicTest(f.name().toLowerCase(Locale.ROOT) + " 2 layers", () -> endToEnd(f)));
    }

    private void endToEnd(Family family) throws IOException {
        Path art = artifact(family);
        List<Integer> expected = new ArrayList<>(), actual = new ArrayList<>();
        Nmse nmse = new Nmse();
        int capacity = PROMPT.length + generatedTokens();
        try (HfCheckpoint ck = HfCheckpoint.open(checkpoint(family)); Bundle b = Bundle.open(art, VerificationCache.none()); Executable exe = load(b)) {
            assertEquals(2, ck.config().numLayers(), "two layers");
            LanguageModel ref = new ReferenceModel(new Weights(ck.tensors(), ck.config(), ck.dir()));
            LanguageModel.Session rs = ref.newSession(capacity), ts = exe.newSession(capacity);
            float[][] rl = rs.prefill(PROMPT), tl = ts.prefill(PROMPT);
            float[] r = rl[rl.length - 1], t = tl[tl.length - 1];
            for (int i = 0; i < generatedTokens(); i++) {
                nmse.add(r, t);
                expected.add(argmax(r));
                actual.add(argmax(t));
                // The target follows the reference's tokens, so one early difference does not hide the rest.
                int next = argmax(r);
                r = rs.next(next);
                t = ts.next(next);
            }
        }
        String name = family.name().toLowerCase(Locale.ROOT) + " 2 layers, " + generatedTokens() + " greedy tokens";
        report().compared("end-to-end", name, nmse.value(), logitsNmseBound());
        // Exact targets must match every token (the default minTop1 of 0.99 allows no miss in 8); a lossy
        // one (W8A8) is held to its own top-1 bound, as the golden checks are.
        int agree = 0;
        for (int i = 0; i < expected.size(); i++) if (expected.get(i).equals(actual.get(i))) agree++;
        double agreement = agree / (double) expected.size();
        assertTrue(agreement >= minTop1(), () -> name + ": greedy continuation differs from the reference model's (agreement " + agreement
                + " < " + minTop1() + "): expected " + expected + " but was " + actual);
        assertTrue(nmse.value() <= logitsNmseBound(), () -> name + ": logits nmse " + nmse.value() + " > " + logitsNmseBound());
    }

    // ---------------------------------------------------------------- checkpoints and artifacts

    /** A generated tiny (2-layer, bf16) checkpoint of {@code family}, written once per class. */
    protected final synchronized Path checkpoint(Family family) {
        return checkpoints.computeIfAbsent(family, f -> {
            Path dir = work().resolve("ckpt-" + f.name().toLowerCase(Locale.ROOT));
            CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(f).withLayers(2).withDtype(DType.BF16), dir);
            return dir;
        });
    }

    /** {@link #checkpoint} compiled for the target with {@code axc compile}'s compiler (and its fallback), once per class. */
    protected final synchronized Path artifact(Family family) {
        return artifacts.computeIfAbsent(family, f -> {
            Path out = work().resolve(f.name().toLowerCase(Locale.ROOT) + ".axc");
            Partition p = compile(checkpoint(f), out).partition();
            // Refused model nodes run on the fallback: reported, not failed, like refused ops.
            if (p.partitioned()) report().unsupported("artifact", f.name().toLowerCase(Locale.ROOT) + " 2 layers on " + p.target() + "+" + p.fallback(), p.refused());
            return out;
        });
    }

    private ArtifactCompiler.Result compile(Path checkpoint, Path out) {
        return ArtifactCompiler.compile(checkpoint, provider(), fallbackProvider(), targetOptions(),
                new CompileOptions(null, checkpoint.getFileName().toString()), out, null, Progress.SILENT);
    }

    /**
     * The artifact as {@code axc run} loads it: by the target, or across the target and its fallback
     * when the target refused some of its nodes ({@link PartitionedModel}).
     */
    private Executable load(Bundle b) {
        if (!b.contains(Partition.ENTRY)) return target().load(b);
        TargetProvider fallback = fallbackProvider().orElseThrow(() -> new IllegalStateException("the artifact is partitioned but there is no fallback target"));
        return PartitionedModel.load(b, target(), fallback.create(targetOptions()));
    }

    /** A temporary folder for checkpoints and artifacts, removed after the class (or the property). */
    private synchronized Path work() {
        if (work == null) {
            try {
                work = Files.createTempDirectory("axc-conformance-");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return work;
    }

    private synchronized void deleteWork() {
        if (work != null) AtomicOutput.deleteQuietly(work);
        work = null;
        checkpoints.clear();
        artifacts.clear();
    }

    private synchronized Path newFile(String prefix) {
        return work().resolve(prefix + "-" + (files++) + ".axc");
    }

    private static int argmax(float[] l) {
        int a = 0;
        for (int i = 1; i < l.length; i++) if (l[i] > l[a]) a = i;
        return a;
    }

}
