package axc.formats.convert;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.HfCheckpoint;
import axc.progress.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code axc convert}: picks the conversion from the input's format and the requested output format. */
public final class Converter {
    public enum Format { GGUF, SAFETENSORS }

    private Converter() {
    }

    public static ConvertResult convert(Path in, Path out, Format to, DType dtype, long maxShardBytes, Progress progress) {
        if (!Files.exists(in)) throw InvalidInputException.of(in, "no such file or directory");
        Format target = to != null ? to : out.toString().toLowerCase(Locale.ROOT).endsWith(".gguf") ? Format.GGUF : Format.SAFETENSORS;
        if (HfCheckpoint.looksLike(in)) {
            try (HfCheckpoint ck = HfCheckpoint.open(in)) {
                return target == Format.GGUF ? HfToGguf.convert(ck, out, dtype, progress) : HfToHf.convert(ck, out, dtype, maxShardBytes, progress);
            }
        }
        if (Files.isRegularFile(in) && GgufFile.looksLike(in)) {
            if (target == Format.GGUF) throw new InvalidInputException(in + ": already GGUF (use --to safetensors, or axc quantize to change its types)");
            try (GgufFile g = GgufFile.open(in)) {
                return GgufToHf.convert(g, out, dtype, maxShardBytes, progress);
            }
        }
        if (HfCheckpoint.looksLikePickle(in)) throw HfCheckpoint.pickleRefused(in);
        throw InvalidInputException.of(in, "not a Hugging Face folder (config.json) or a GGUF file");
    }
}
