package axc.cli.commands;

import axc.cli.Ui;
import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "generate", description = "Write a seeded Qwen2/Qwen3 checkpoint of a preset shape (for tests and benchmarks).")
public final class GenerateCommand extends AxcCommand {
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path output;

    @Option(names = "--preset", defaultValue = "tiny", description = "tiny, small, qwen2.5-0.5b-shape, qwen2.5-1.5b-shape or qwen2.5-7b-shape (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--family", description = "qwen2 or qwen3 (default: the preset's).")
    String family;

    @Option(names = "--dtype", description = "f32, f16 or bf16 (default: the preset's).")
    String dtype;

    @Option(names = "--untied", description = "Write a separate lm_head instead of tying it to the embeddings.")
    boolean untied;

    @Option(names = "--shards", defaultValue = "1", description = "Number of safetensors shards (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--seed", description = "Random seed (default: the preset's).")
    Long seed;

    @Option(names = "--layers", description = "Number of decoder layers (default: the preset's); fewer keep a large shape small.")
    Integer layers;

    @Override
    protected int execute(Ui ui) {
        ModelSpec s = spec(preset, family, dtype, untied, shards, seed);
        if (layers != null) {
            if (layers < 1) throw new axc.errors.InvalidInputException("--layers must be at least 1");
            s = s.withLayers(layers);
        }
        long t0 = System.nanoTime();
        CheckpointGenerator.write(s, output);
        double secs = (System.nanoTime() - t0) / 1e9;
        if (ui.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("output", output.toString());
            m.put("spec", s);
            m.put("seconds", secs);
            ui.printJson(m);
        } else {
            ui.out().printf("wrote %s (%s, %s) in %.1f s%n", output, preset, s.family().name().toLowerCase(), secs);
        }
        return ok();
    }

    static ModelSpec spec(String preset, String family, String dtype, boolean untied, int shards, Long seed) {
        ModelSpec s;
        try {
            s = ModelSpec.preset(preset);
        } catch (IllegalArgumentException e) {
            throw new axc.errors.InvalidInputException("--preset: " + e.getMessage());
        }
        if (family != null) s = s.withFamily(parseFamily(family));
        if (dtype != null) s = s.withDtype(parseDtype(dtype));
        if (untied) s = s.withTied(false);
        if (shards < 1) throw new axc.errors.InvalidInputException("--shards must be at least 1");
        s = s.withShards(shards);
        if (seed != null) s = s.withSeed(seed);
        return s;
    }

    static Family parseFamily(String f) {
        return switch (f.toLowerCase()) {
            case "qwen2" -> Family.QWEN2;
            case "qwen3" -> Family.QWEN3;
            default -> throw new axc.errors.InvalidInputException("--family: expected qwen2 or qwen3, got '" + f + "'");
        };
    }

    static DType parseDtype(String d) {
        return switch (d.toLowerCase()) {
            case "f32", "float32" -> DType.F32;
            case "f16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new axc.errors.InvalidInputException("--dtype: expected f32, f16 or bf16, got '" + d + "'");
        };
    }
}
