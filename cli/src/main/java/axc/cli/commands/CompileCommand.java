package axc.cli.commands;

import axc.cli.Ui;
import axc.cli.Units;
import axc.compile.ArtifactCompiler;
import axc.errors.InvalidInputException;
import axc.formats.io.AtomicOutput;
import axc.formats.json.Json;
import axc.ir.Op;
import axc.partition.Partition;
import axc.pass.GraphStats;
import axc.quant.Quantization;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import axc.target.CompileOptions;
import axc.target.TargetOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

@Command(name = "compile", description = "Compile a model for a target into a .axc artifact.")
public final class CompileCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A Hugging Face folder or a .gguf file (float or quantized).")
    Path model;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = "--target", required = true, paramLabel = "T", description = "Target id (see axc targets).")
    String target;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Output artifact (.axc).")
    Path out;

    @Option(names = "--preset", paramLabel = "P", description = "Quantize first with this preset (see axc quantize).")
    String preset;

    @Option(names = "--recipe", paramLabel = "FILE", description = "Quantize first with this recipe.")
    Path recipeFile;

    @Option(names = "--device", paramLabel = "D", description = "Target device description (a preset name or a file).")
    String device;

    @Option(names = "--dump-ir", paramLabel = "DIR", description = "Write the graph after each pass as DIR/NN-Pass.axir.")
    Path dumpIr;

    @Override
    protected int execute(Ui ui) throws IOException {
        if (!out.getFileName().toString().endsWith(".axc")) throw new InvalidInputException("-o " + out + ": artifacts end in .axc");
        if (preset != null && recipeFile != null) throw new InvalidInputException("--preset and --recipe exclude each other");
        nonFinite.check(ui, model);
        Recipe recipe = recipeFile != null ? Recipe.read(recipeFile) : preset == null ? null
                : Presets.find(preset).orElseThrow(() -> new InvalidInputException("--preset: unknown preset '" + preset + "'"));
        Path source = model;
        Path tmp = null;
        try {
            if (recipe != null) {
                tmp = Files.createTempDirectory(out.toAbsolutePath().getParent(), ".axc-quant-");
                source = quantizeFirst(ui, recipe, tmp);
            }
            TargetOptions topts = new TargetOptions(ui.threads(), device, Map.of());
            ArtifactCompiler.Result r = ArtifactCompiler.compile(source, target, topts, new CompileOptions(dumpIr, model.getFileName().toString()), out,
                    recipe == null ? null : Json.MAPPER.readTree(recipe.toJson()), ui.progress());
            report(ui, r);
        } finally {
            if (tmp != null) AtomicOutput.deleteQuietly(tmp);
        }
        return ok();
    }

    private Path quantizeFirst(Ui ui, Recipe recipe, Path tmp) {
        Path q = tmp.resolve(Presets.isGguf(recipe.base()) ? "quantized.gguf" : "quantized");
        Quantization.run(model, q, recipe, null, true, false, ui.progress());
        return q;
    }

    private static void report(Ui ui, ArtifactCompiler.Result r) {
        if (ui.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("output", r.output().toString());
            m.put("target", r.target());
            m.put("passes", r.passes());
            m.put("ops_before", r.before().ops());
            m.put("ops_after", r.after().ops());
            m.put("op_counts_before", counts(r.before()));
            m.put("op_counts_after", counts(r.after()));
            m.put("peak_activation_bytes_before", r.before().peakActivationBytes());
            m.put("peak_activation_bytes_after", r.after().peakActivationBytes());
            m.put("plan_tokens", ArtifactCompiler.PLAN_TOKENS);
            m.put("unsupported", r.unsupported());
            m.put("partition", partition(r.partition()));
            m.put("entries", r.manifest().entries().size());
            ui.printJson(m);
            return;
        }
        var o = ui.out();
        o.printf("%-22s %10s %10s%n", "op", "before", "after");
        TreeSet<Op> ops = new TreeSet<>(r.before().opCounts().keySet());
        ops.addAll(r.after().opCounts().keySet());
        for (Op op : ops) o.printf("%-22s %10d %10d%n", op.name().toLowerCase(), r.before().count(op), r.after().count(op));
        o.printf("%-22s %10d %10d%n", "total", r.before().ops(), r.after().ops());
        o.printf("peak activation memory (T=%d): %s -> %s%n", ArtifactCompiler.PLAN_TOKENS, Units.bytes(r.before().peakActivationBytes()),
                Units.bytes(r.after().peakActivationBytes()));
        Partition p = r.partition();
        if (p.partitioned()) {
            o.printf("partition: %d of %d nodes go to %s (%s refuses them), %d of %d segments; %d values (%s per token) cross between the targets each step%n",
                    p.fallbackNodes(), p.nodes().size(), p.fallback(), p.target(), p.fallbackSegments(), p.segments().size(),
                    p.boundary().values(), Units.bytes(p.boundary().bytes()));
        }
        o.printf("wrote %s (%s, %d entries, %d passes)%n", r.output(), r.target(), r.manifest().entries().size(), r.passes().size());
    }

    /** The {@code --json} summary of a partition, null when every node runs on the target. */
    private static Map<String, Object> partition(Partition p) {
        if (!p.partitioned()) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fallback", p.fallback());
        m.put("nodes", p.nodes().size());
        m.put("fallback_nodes", p.fallbackNodes());
        m.put("segments", p.segments().size());
        m.put("fallback_segments", p.fallbackSegments());
        m.put("boundary_values_per_step", p.boundary().values());
        m.put("boundary_bytes_per_token", p.boundary().bytes());
        return m;
    }

    private static Map<String, Integer> counts(GraphStats s) {
        Map<String, Integer> m = new LinkedHashMap<>();
        new TreeSet<>(s.opCounts().keySet()).forEach(op -> m.put(op.name().toLowerCase(), s.count(op)));
        return m;
    }

}
