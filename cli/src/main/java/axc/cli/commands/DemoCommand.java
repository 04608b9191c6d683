package axc.cli.commands;

import axc.cli.Ui;
import axc.examples.CheckpointGenerator;
import axc.examples.ExampleModels;
import axc.examples.ModelSpec;
import axc.formats.convert.ConvertResult;
import axc.formats.convert.Converter;
import axc.formats.dtype.DType;
import axc.formats.inspect.InspectReport;
import axc.formats.inspect.Inspector;
import axc.quant.Quantization;
import axc.quant.QuantizeReport;
import axc.quant.recipe.Presets;
import axc.compile.ArtifactCompiler;
import axc.runner.GoldenCheck;
import axc.runner.Generation;
import axc.target.CompileOptions;
import axc.target.TargetOptions;
import axc.runner.LoadedModel;
import axc.runner.ModelLoader;
import axc.runner.Prompts;
import axc.runner.Sampler;
import axc.runner.Validation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the whole pipeline on the shipped default model ({@code axc-tiny-py}): inspect, convert to GGUF,
 * generate text, validate the conversion, quantize (int8, GPTQ int4, llama.cpp Q4_K_M) and validate
 * each, and finally generate a seeded checkpoint as tests and benchmarks do. Each capability adds its
 * step here.
 */
@Command(name = "demo", description = "Run the whole pipeline on the built-in default model.")
public final class DemoCommand extends AxcCommand {
    static final String PROMPT = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n";

    @Option(names = "--work", defaultValue = "axc-demo", paramLabel = "DIR", description = "Work folder (default: ${DEFAULT-VALUE}).")
    Path work;

    private final List<Map<String, Object>> steps = new ArrayList<>();

    @Override
    protected int execute(Ui ui) {
        Path model = work.resolve(ExampleModels.DEFAULT);
        step(ui, "extract the default model " + ExampleModels.DEFAULT, () -> {
            ExampleModels.extractTinyPy(model);
            return Map.of("path", model.toString());
        });
        step(ui, "inspect " + model, () -> inspect(ui, model));
        Path gguf = work.resolve(ExampleModels.DEFAULT + ".gguf");
        step(ui, "convert to GGUF (F32)", () -> {
            ConvertResult r = Converter.convert(model, gguf, Converter.Format.GGUF, DType.F32, 0, ui.progress());
            say(ui, String.format("wrote %s: %d tensors, %.1f MB, %.0f MB/s", r.output(), r.tensors(), r.bytesWritten() / 1e6, r.megabytesPerSecond()));
            return Map.of("output", r.output(), "mb_per_s", r.megabytesPerSecond());
        });
        step(ui, "run a prompt on the GGUF (greedy, 32 tokens)", () -> run(ui, gguf));
        step(ui, "validate the GGUF against the Hugging Face original", () -> validate(ui, gguf, model));
        for (String preset : List.of("int8", "int4-gptq-g128", "q4_k_m")) {
            Path out = work.resolve(ExampleModels.DEFAULT + "-" + preset + (Presets.isGguf(preset) ? ".gguf" : ""));
            step(ui, "quantize " + preset + " and validate it", () -> {
                Map<String, Object> m = new LinkedHashMap<>(quantize(ui, model, out, preset));
                m.put("validation", validate(ui, out, model));
                return m;
            });
        }
        Path artifact = work.resolve(ExampleModels.DEFAULT + "-q4_k_m.axc");
        step(ui, "compile the Q4_K_M model for the cpu target and check the artifact's golden vectors", () -> {
            ArtifactCompiler.Result r = ArtifactCompiler.compile(work.resolve(ExampleModels.DEFAULT + "-q4_k_m.gguf"), "cpu",
                    new TargetOptions(ui.threads(), null, Map.of()), new CompileOptions(null, ExampleModels.DEFAULT), artifact, null, ui.progress());
            say(ui, String.format("%d ops -> %d after %d passes; peak activations (T=%d) %.1f -> %.1f MiB", r.before().ops(), r.after().ops(),
                    r.passes().size(), ArtifactCompiler.PLAN_TOKENS, r.before().peakActivationBytes() / 1048576.0, r.after().peakActivationBytes() / 1048576.0));
            try (LoadedModel m = ModelLoader.load(artifact)) {
                GoldenCheck.Report g = GoldenCheck.run(m, new Validation.Thresholds(null, null, null));
                say(ui, String.format("golden check: top1 %.4f, nmse %.3g: %s", g.top1(), g.nmse(), g.passed() ? "passed" : "FAILED"));
                Map<String, Object> res = new LinkedHashMap<>();
                res.put("ops_before", r.before().ops());
                res.put("ops_after", r.after().ops());
                res.put("golden_top1", g.top1());
                res.put("golden_passed", g.passed());
                return res;
            }
        });
        Path tiny = work.resolve("generated-tiny");
        step(ui, "generate a seeded tiny Qwen2 checkpoint (what tests and benchmarks use)", () -> {
            CheckpointGenerator.write(ModelSpec.preset("tiny"), tiny);
            return inspect(ui, tiny);
        });
        if (ui.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("work", work.toString());
            m.put("steps", steps);
            ui.printJson(m);
        } else {
            ui.out().println("demo finished: " + steps.size() + " steps, outputs in " + work);
        }
        return ok();
    }

    private static Map<String, Object> inspect(Ui ui, Path p) {
        InspectReport r = Inspector.inspect(p);
        say(ui, String.format("%s: %s, family %s, %,d parameters, %d tensors %s, tokenizer %s", r.path(), r.architecture(), r.family(),
                r.parameters(), r.tensors().size(), r.dtypes(), r.tokenizer().get("kind")));
        return Map.of("format", r.format(), "parameters", r.parameters(), "tensors", r.tensors().size());
    }

    private static Map<String, Object> run(Ui ui, Path model) {
        try (LoadedModel m = ModelLoader.load(model)) {
            int[] ids = m.requireTokenizer().encode(PROMPT);
            Generation.Result r = Generation.run(m, ids, 32, Sampler.greedy(), piece -> { });
            say(ui, "prompt:     " + PROMPT.replace("\n", "\\n"));
            say(ui, "generated:  " + r.text().replace("\n", "\\n"));
            say(ui, String.format("%.1f tokens/s (reference forward pass)", r.decodeTokensPerSecond()));
            return Map.of("text", r.text(), "decode_tokens_per_s", r.decodeTokensPerSecond());
        }
    }

    private static Map<String, Object> validate(Ui ui, Path candidate, Path reference) {
        try (LoadedModel c = ModelLoader.load(candidate); LoadedModel r = ModelLoader.load(reference)) {
            List<int[]> ids = Prompts.builtIn().stream().map(p -> r.requireTokenizer().encode(p)).toList();
            int[] text = r.requireTokenizer().encode(Prompts.builtInText());
            Validation.Report v = Validation.run(c, r, ids, Arrays.copyOf(text, Math.min(text.length, 128)), new Validation.Thresholds(null, null, null));
            say(ui, String.format("top1 %.4f, kl_mean %.3g, nmse %.3g, perplexity %.3f vs %.3f", v.top1(), v.klMean(), v.nmse(),
                    v.pplCandidate(), v.pplReference()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("top1", v.top1());
            m.put("kl_mean", v.klMean());
            m.put("nmse", v.nmse());
            m.put("ppl_candidate", v.pplCandidate());
            m.put("ppl_reference", v.pplReference());
            return m;
        }
    }

    private static Map<String, Object> quantize(Ui ui, Path model, Path out, String preset) {
        var recipe = Presets.find(preset).orElseThrow();
        QuantizeReport r = Quantization.run(model, out, recipe, null, true, true, ui.progress());
        say(ui, String.format("wrote %s (%s): %.1f MB in %.1f s", r.output(), r.algorithm(), r.bytesWritten() / 1e6, r.seconds()));
        return Map.of("output", r.output(), "bytes", r.bytesWritten(), "seconds", r.seconds());
    }

    private static void say(Ui ui, String line) {
        if (!ui.json()) ui.out().println("  " + line);
    }

    private void step(Ui ui, String name, Supplier<Map<String, Object>> body) {
        if (!ui.json()) ui.out().println("==> " + name);
        ui.out().flush();
        long t0 = System.nanoTime();
        Map<String, Object> result = body.get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", name);
        m.put("seconds", (System.nanoTime() - t0) / 1e9);
        m.put("result", result);
        steps.add(m);
    }
}
