package axc.cli.commands;

import axc.cli.Ui;
import axc.formats.convert.ConvertResult;
import axc.formats.convert.Converter;
import axc.formats.convert.HfDirectoryWriter;
import axc.formats.dtype.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "convert", description = "Convert a checkpoint: Hugging Face <-> GGUF, re-cast, re-shard.")
public final class ConvertCommand extends AxcCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "A Hugging Face folder or a .gguf file.")
    Path in;

    @Mixin
    NonFiniteOption nonFinite;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Output .gguf file or folder.")
    Path out;

    @Option(names = "--to", paramLabel = "FORMAT", description = "gguf or safetensors (default: from OUT; .gguf means gguf).")
    String to;

    @Option(names = "--dtype", paramLabel = "T", description = "f32, f16 or bf16 for the matrices (default: unchanged).")
    String dtype;

    @Option(names = "--max-shard-size", paramLabel = "S", description = "Split safetensors output into shards of at most S (e.g. 2GB, 500MB).")
    String maxShardSize;

    @Override
    protected int execute(Ui ui) {
        nonFinite.check(ui, in);
        Converter.Format format = to == null ? null : switch (to.toLowerCase(Locale.ROOT)) {
            case "gguf" -> Converter.Format.GGUF;
            case "safetensors", "hf" -> Converter.Format.SAFETENSORS;
            default -> throw new axc.errors.InvalidInputException("--to: expected gguf or safetensors, got '" + to + "'");
        };
        DType dt = dtype == null ? null : GenerateCommand.parseDtype(dtype);
        long shard = maxShardSize == null ? 0 : HfDirectoryWriter.parseSize(maxShardSize);
        ConvertResult r = Converter.convert(in, out, format, dt, shard, ui.progress());
        if (ui.json()) {
            ui.printJson(r);
        } else {
            ui.out().printf("wrote %s (%s, %s): %d tensors, %.1f MB in %.2f s, %.0f MB/s%n", r.output(), r.format(), r.dtype(),
                    r.tensors(), r.bytesWritten() / 1e6, r.seconds(), r.megabytesPerSecond());
        }
        return ok();
    }
}
