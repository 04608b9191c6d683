package axc.cli.commands;

import axc.cli.Ui;
import axc.errors.InvalidInputException;
import axc.quant.Quantization;
import axc.quant.QuantizeReport;
import axc.quant.TensorError;
import axc.quant.recipe.Presets;
import axc.quant.recipe.Recipe;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

@Command(name = "quantize", description = "Quantize a checkpoint to INT8/INT4 (RTN, AWQ, GPTQ, SmoothQuant).")
public final class QuantizeCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "A Hugging Face folder or a GGUF file (F32/F16/BF16).")
    Path in;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Output file (.gguf) or folder (safetensors).")
    Path out;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--preset", paramLabel = "P", description = "A named preset: q8_0, q4_0, q4_k_m, int8, int4-g128, int4-awq-g128, int4-gptq-g128, w8a8-sq, ...")
        String preset;

        @Option(names = "--recipe", paramLabel = "FILE", description = "A recipe (JSON or YAML): base scheme, algorithm and per-tensor rules.")
        Path recipe;
    }

    @Option(names = "--pure", description = "Give every weight matrix the base type (no llama.cpp mix), like llama-quantize --pure.")
    boolean pure;

    @Option(names = "--no-provenance", description = "Leave out axc's provenance keys (to reproduce llama-quantize's files byte for byte).")
    boolean noProvenance;

    @Option(names = "--calib", paramLabel = "FILE", description = "Calibration text for AWQ, GPTQ and SmoothQuant (default: built-in text).")
    Path calib;

    @Option(names = "--to", paramLabel = "FORMAT", description = "gguf or safetensors (default: from the scheme).")
    String to;

    @Override
    protected int execute(Ui ui) {
        Recipe recipe = choice.recipe != null ? Recipe.read(choice.recipe)
                : Presets.find(choice.preset).orElseThrow(() -> new InvalidInputException("--preset: unknown preset '" + choice.preset
                + "' (known: " + String.join(", ", Presets.names()) + ")"));
        if (pure) recipe = new Recipe(recipe.name(), recipe.base(), recipe.algorithm(), true, recipe.rules(), recipe.options());
        boolean gguf = Presets.isGguf(recipe.base());
        if (to != null && !to.equalsIgnoreCase(gguf ? "gguf" : "safetensors")) {
            throw new InvalidInputException("--to " + to + ": scheme '" + recipe.base() + "' is written as " + (gguf ? "gguf" : "safetensors"));
        }
        // NaN and infinite weights are counted during the pass itself (a separate scan read the 0.5B
        // shape's weights once more: a tenth of the command's time); each tensor is reported once
        // written, and a refusal abandons the output before it is committed.
        QuantizeReport r = Quantization.run(in, out, recipe, calib, !noProvenance, true, ui.progress(), nonFinite.reporter(ui, in));
        if (ui.json()) {
            ui.printJson(r);
        } else {
            for (TensorError e : r.tensorErrors()) {
                ui.out().printf("  %-36s %-5s rel.err %.5f  SQNR %s%n", e.name(), e.type(), e.relativeError(),
                        e.sqnrDb() == null ? "lossless" : String.format("%.1f dB", e.sqnrDb()));
            }
            ui.out().printf("wrote %s (%s, %s): %d tensors, %.1f MB in %.2f s%n", r.output(), r.recipe(), r.algorithm(), r.tensors(),
                    r.bytesWritten() / 1e6, r.seconds());
        }
        return ok();
    }
}
