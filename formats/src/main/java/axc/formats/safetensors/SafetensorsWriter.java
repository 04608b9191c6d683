package axc.formats.safetensors;

import axc.formats.dtype.DType;
import axc.formats.io.Payload;
import axc.formats.io.SegmentIo;
import axc.formats.json.Json;
import axc.formats.tensor.TensorInfo;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Streams tensors into one {@code .safetensors} file: the header is computed from the specs first, then
 * each tensor's bytes are written in order, so memory never holds more than one tensor's producer
 * buffer. Callers wrap this in {@link axc.formats.io.AtomicOutput}.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    public record Entry(String name, DType dtype, long[] shape, Payload payload) {
        public long byteSize() {
            return dtype.bytesFor(TensorInfo.elementCount(shape));
        }
    }

    /** Header bytes (length prefix included) for {@code entries} in the given order. */
    public static byte[] header(List<Entry> entries, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(json)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (var m : new java.util.TreeMap<>(metadata).entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long off = 0;
            for (Entry e : entries) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", SafetensorsDType.id(e.dtype()));
                g.writeArrayFieldStart("shape");
                for (long d : e.shape()) g.writeNumber(d);
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(off);
                off += e.byteSize();
                g.writeNumber(off);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        byte[] body = json.toByteArray();
        // Pad with spaces so the data area starts 8-byte aligned, as the reference writer does.
        int padded = (body.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(body);
        while (b.hasRemaining()) b.put((byte) ' ');
        return b.array();
    }

    /** Writes {@code entries} in order to {@code file} (which should be a temp file). */
    public static void write(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
            SegmentIo.write(ch, ByteBuffer.wrap(header(entries, metadata)));
            for (Entry e : entries) {
                long before = ch.position();
                e.payload().writeTo(ch);
                long wrote = ch.position() - before;
                if (wrote != e.byteSize()) {
                    throw new IllegalStateException("tensor " + e.name() + ": payload wrote " + wrote + " bytes, expected " + e.byteSize());
                }
            }
        }
    }
}
