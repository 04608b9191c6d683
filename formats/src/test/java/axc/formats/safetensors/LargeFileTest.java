package axc.formats.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Files over 2 GiB map and slice correctly (a sparse file, so the test costs no disk). */
class LargeFileTest {
    @Test
    void tensorsPastTwoGigabytesAreReadable(@TempDir Path tmp) throws IOException {
        long big = 3L << 30; // 3 GiB of I8
        String header = "{\"big\":{\"dtype\":\"I8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + big + "," + (big + 4) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            long dataStart = 8 + h.length;
            raf.seek(dataStart + big - 1);
            raf.write(42);
            raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).array());
        }
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(big, s.data("big").byteSize());
            assertEquals(42, s.data("big").get(ValueLayout.JAVA_BYTE, big - 1));
            assertEquals(1.5f, s.data("tail").get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0));
        }
    }
}
