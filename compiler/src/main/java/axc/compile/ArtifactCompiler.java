package axc.compile;

import axc.bundle.BundleWriter;
import axc.bundle.Manifest;
import axc.errors.TargetUnavailableException;
import axc.errors.UnsupportedFeatureException;
import axc.formats.io.AtomicOutput;
import axc.formats.io.Sha256;
import axc.formats.json.Json;
import axc.formats.tensor.TensorStore;
import axc.formats.tokenizer.Tokenizer;
import axc.frontend.QwenFrontend;
import axc.ir.Graph;
import axc.ir.pb.GraphCodec;
import axc.ir.text.AxirPrinter;
import axc.partition.PartTensors;
import axc.partition.Partition;
import axc.pass.GraphStats;
import axc.pass.Pass;
import axc.pass.PassContext;
import axc.pass.PassPipeline;
import axc.passes.StandardPipeline;
import axc.progress.Progress;
import axc.reference.ReferenceModel;
import axc.reference.Weights;
import axc.target.CompileContext;
import axc.target.CompileOptions;
import axc.target.FusionPattern;
import axc.target.Target;
import axc.target.TargetOptions;
import axc.target.TargetProvider;
import axc.target.Targets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code axc compile}: frontend -> shared passes + the target's fusion patterns and lowering passes ->
 * the target writes its entries -> one deterministic artifact with the config, tokenizer, graph (text
 * and protobuf), golden vectors and a manifest of provenance and hashes.
 */
public final class ArtifactCompiler {
    /** Tokens the memory plan is reported for (a prefill chunk). */
    public static final long PLAN_TOKENS = 128;
    static final List<String> GOLDEN_TEXTS = List.of(
            "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
            "The quick brown fox jumps over the lazy dog.",
            "<|im_start|>user\nWrite a function that adds two numbers.<|im_end|>\n<|im_start|>assistant\n");

    private ArtifactCompiler() {
    }

    /**
     * What a compile did. {@code unsupported} lists the nodes the target refused ({@code "%id op"} to the
     * reason); {@code partition} places every node, and is {@link Partition#partitioned()} when some
     * run on the fallback.
     */
    public record Result(Path output, String target, GraphStats before, GraphStats after, List<String> passes, Map<String, String> unsupported,
                         Partition partition, Manifest manifest) {
    }

    /** Compiles for the installed target {@code targetId}; what it refuses falls back to the installed cpu target. */
    public static Result compile(Path model, String targetId, TargetOptions topts, CompileOptions copts, Path out, JsonNode recipe, Progress progress) {
        TargetProvider provider = Targets.require(targetId);
        Optional<TargetProvider> fallback = Targets.find(Partition.FALLBACK).filter(f -> !f.id().equals(provider.id()));
        return compile(model, provider, fallback, topts, copts, out, recipe, progress);
    }

    /**
     * Compiles for {@code provider}'s target; nodes it refuses run on {@code fallback}'s (normally the cpu
     * target; the conformance kit may name another). Without a fallback, refused nodes stop the compile
     * with {@link TargetUnavailableException} (exit 6).
     */
    public static Result compile(Path model, TargetProvider provider, Optional<TargetProvider> fallback, TargetOptions topts, CompileOptions copts,
                                 Path out, JsonNode recipe, Progress progress) {
        String targetId = provider.id();
        Target target = provider.create(topts);
        try (SourceModel src = SourceModel.open(model)) {
            progress.start("compile " + model.getFileName() + " for " + targetId, 4, "steps");
            Graph g = QwenFrontend.build(src.config(), src.tensors());
            GraphStats before = GraphStats.of(g, PLAN_TOKENS);
            List<Pass> passes = new ArrayList<>(StandardPipeline.passes());
            for (FusionPattern p : target.fusionPatterns()) passes.add(passes.size() - 1, p.pass());
            passes.addAll(target.loweringPasses());
            Map<String, String> options = new LinkedHashMap<>();
            options.put("tokens", Long.toString(PLAN_TOKENS));
            Graph opt = new PassPipeline(passes).run(g, new PassContext(options, copts.dumpIr()));
            GraphStats after = GraphStats.of(opt, PLAN_TOKENS);
            progress.advance(1);
            Partition partition = Partition.plan(opt, target, fallback.map(TargetProvider::id).orElse(Partition.FALLBACK));
            Map<String, String> unsupported = partition.refused();
            Target second = null;
            if (partition.partitioned()) {
                if (fallback.isEmpty()) {
                    throw new TargetUnavailableException(targetId + " cannot run " + unsupported.size() + " nodes and no " + Partition.FALLBACK + " target is installed to run them");
                }
                second = fallback.get().create(topts);
                for (Target t : List.of(target, second)) {
                    if (t.info().apiVersion() < 3) {
                        throw new UnsupportedFeatureException("target " + t.info().id() + " implements target API " + t.info().apiVersion()
                                + ", which cannot run part of a graph; " + targetId + " refuses " + unsupported.size() + " nodes (" + String.join(", ", unsupported.keySet())
                                + "), so the artifact needs Target.loadSegment (target API 3)");
                    }
                }
            }
            BundleWriter w = new BundleWriter();
            w.target(targetId, Integer.toString(TargetProvider.API_VERSION));
            ObjectNode device = Json.MAPPER.createObjectNode();
            device.put("target", target.info().description());
            device.put("family", src.config().family().name().toLowerCase());
            if (topts.device() != null) device.put("device", topts.device());
            if (partition.partitioned()) {
                ObjectNode part = device.putObject("partition");
                part.put("fallback", second.info().id());
                part.put("fallback_nodes", partition.fallbackNodes());
                part.put("nodes", partition.nodes().size());
                part.put("segments", partition.segments().size());
            }
            w.device(device);
            for (Path f : src.files()) w.source(src.path().toAbsolutePath().getParent() == null ? f.toString() : relative(src.path(), f), Sha256.of(f));
            w.recipe(recipe);
            w.seed(0);
            w.passes(passes.stream().map(Pass::name).toList());
            w.add("config.json", src.configJson());
            for (Map.Entry<String, byte[]> e : src.tokenizerFiles().entrySet()) w.add("tokenizer/" + e.getKey(), e.getValue());
            w.add("graph.axir", AxirPrinter.print(opt).getBytes(StandardCharsets.UTF_8));
            w.add("graph.pb", GraphCodec.toBytes(opt));
            if (partition.partitioned()) w.add(Partition.ENTRY, partition.toJson());
            progress.advance(1);
            Golden golden = Golden.record(new ReferenceModel(new Weights(src.tensors(), src.config(), src.path())), goldenPrompts(src));
            w.add(Golden.PROMPTS, golden.promptsJson());
            w.add(Golden.LOGITS, golden.logitsBytes());
            progress.advance(1);
            if (!partition.partitioned()) {
                target.compile(opt, new CompileContext(src.config(), src.tensors(), copts), w);
            } else {
                // Each target compiles its part. The fallback gets only the tensors its part reads and writes them
                // under part/<id>/: it never shares the target's weights/, which may hold a packed layout it cannot read.
                target.compile(partition.part(opt, targetId), new CompileContext(src.config(), src.tensors(), copts), w);
                Graph part = partition.part(opt, second.info().id());
                TensorStore tensors = PartTensors.of(src.tensors(), src.config(), part, src.path());
                second.compile(part, new CompileContext(src.config(), tensors, copts), w.part(second.info().id()));
            }
            Manifest m = w.finish(out);
            progress.advance(1);
            progress.done("wrote " + out);
            return new Result(out, targetId, before, after, passes.stream().map(Pass::name).toList(), unsupported, partition, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String relative(Path root, Path f) {
        Path base = java.nio.file.Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
        try {
            return base.toAbsolutePath().relativize(f.toAbsolutePath()).toString();
        } catch (IllegalArgumentException e) {
            return f.getFileName().toString();
        }
    }

    /** The golden prompts: built-in texts through the model's tokenizer, or seeded ids without one. */
    static List<int[]> goldenPrompts(SourceModel src) throws IOException {
        List<int[]> out = new ArrayList<>();
        if (!src.tokenizerFiles().isEmpty()) {
            Path tmp = Files.createTempDirectory("axc-golden");
            try {
                for (Map.Entry<String, byte[]> e : src.tokenizerFiles().entrySet()) Files.write(tmp.resolve(e.getKey()), e.getValue());
                Tokenizer tok = Tokenizer.load(tmp);
                for (String t : GOLDEN_TEXTS) out.add(tok.encode(t));
                return out;
            } catch (RuntimeException e) {
                out.clear();
            } finally {
                AtomicOutput.deleteQuietly(tmp);
            }
        }
        SplittableRandom r = new SplittableRandom(7);
        int vocab = Math.min(src.config().vocabSize(), 1000);
        for (int p = 0; p < 3; p++) out.add(r.ints(12, 0, vocab).toArray());
        return out;
    }
}
