package axc.formats.convert;

import java.util.List;

/** What a conversion wrote: files, tensors, bytes read and written, and the time it took. */
public record ConvertResult(String output, String format, String dtype, List<String> files, int tensors,
                            long bytesRead, long bytesWritten, double seconds) {
    public double megabytesPerSecond() {
        return seconds <= 0 ? 0 : bytesWritten / seconds / 1e6;
    }
}
