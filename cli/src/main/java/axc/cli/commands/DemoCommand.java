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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole pipeline, as far as it exists, on the shipped default model ({@code axc-tiny-py}) and
 * on a freshly generated tiny checkpoint. Each capability adds its step here.
 */
@Command(name = "demo", description = "Run the whole pipeline on the built-in default model.")
public final class DemoCommand extends AxcCommand {
    @Option(names = "--work", defaultValue = "axc-demo", paramLabel = "DIR", description = "Work folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Override
    protected int execute(Ui ui) {
        List<Map<String, Object>> steps = new ArrayList<>();
        Path model = work.resolve(ExampleModels.DEFAULT);
        step(ui, steps, "extract the default model " + ExampleModels.DEFAULT, () -> ExampleModels.extractTinyPy(model));
        step(ui, steps, "inspect " + model, () -> summary(ui, Inspector.inspect(model)));
        Path gguf = work.resolve(ExampleModels.DEFAULT + ".gguf");
        step(ui, steps, "convert to GGUF (F32) " + gguf, () -> summary(ui, Converter.convert(model, gguf, Converter.Format.GGUF, DType.F32, 0, ui.progress())));
        step(ui, steps, "inspect " + gguf, () -> summary(ui, Inspector.inspect(gguf)));
        Path tiny = work.resolve("generated-tiny");
        step(ui, steps, "generate a seeded tiny Qwen2 checkpoint", () -> CheckpointGenerator.write(ModelSpec.preset("tiny"), tiny));
        step(ui, steps, "inspect " + tiny, () -> summary(ui, Inspector.inspect(tiny)));
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

    private static void summary(Ui ui, ConvertResult r) {
        if (!ui.json()) {
            ui.out().printf("  wrote %s: %d tensors, %.1f MB, %.0f MB/s%n", r.output(), r.tensors(), r.bytesWritten() / 1e6, r.megabytesPerSecond());
        }
    }

    private static void summary(Ui ui, InspectReport r) {
        if (!ui.json()) {
            ui.out().printf("  %s: %s, family %s, %,d parameters, %d tensors %s, tokenizer %s%n", r.path(), r.architecture(), r.family(),
                    r.parameters(), r.tensors().size(), r.dtypes(), r.tokenizer().get("kind"));
        }
    }

    private static void step(Ui ui, List<Map<String, Object>> steps, String name, Runnable body) {
        if (!ui.json()) ui.out().println("==> " + name);
        ui.out().flush();
        long t0 = System.nanoTime();
        body.run();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", name);
        m.put("seconds", (System.nanoTime() - t0) / 1e9);
        steps.add(m);
    }
}
