package axc.formats.convert;

import axc.formats.dtype.DType;
import axc.formats.tensor.TensorInfo;
import axc.formats.tensor.TensorStore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Writes one tensor of a store to an output in another (or the same) float type. A same-type copy of
 * a tensor that lies in one piece of a file is handed to the kernel ({@code transferTo}: sendfile or
 * copy_file_range), which runs at the speed of a plain file copy.
 */
public final class TensorCopy {
    private TensorCopy() {
    }

    public static void write(TensorStore store, TensorInfo t, DType to, WritableByteChannel out) throws IOException {
        Optional<TensorStore.FileRegion> region = store.region(t.name());
        if (t.dtype() == to && region.isPresent() && out instanceof FileChannel) {
            TensorStore.FileRegion r = region.get();
            try (FileChannel in = FileChannel.open(r.file(), StandardOpenOption.READ)) {
                long done = 0;
                while (done < r.length()) {
                    long n = in.transferTo(r.offset() + done, r.length() - done, out);
                    if (n <= 0) throw new IOException(r.file() + ": short read at " + (r.offset() + done));
                    done += n;
                }
            }
            return;
        }
        TensorCast.write(store.data(t.name()), t.dtype(), to, out);
    }
}
