package axc.formats.safetensors;

import axc.errors.InvalidInputException;
import axc.formats.dtype.DType;
import axc.formats.io.SegmentIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    @Test
    void writeThenReadGivesTheSameTensors() throws IOException {
        float[] a = {1f, -2f, 3.5f, 0f, 1e-3f, 7f};
        Path f = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(
                new SafetensorsWriter.Entry("a", DType.F32, new long[]{2, 3}, out -> {
                    ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : a) b.putFloat(v);
                    SegmentIo.write(out, b.flip());
                }),
                new SafetensorsWriter.Entry("b", DType.I8, new long[]{5}, out -> SegmentIo.write(out, ByteBuffer.wrap(new byte[]{1, 2, 3, 4, -5})))),
                Map.of("format", "pt"));
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals(2, s.tensors().size());
            assertArrayEquals(new long[]{2, 3}, s.get("a").shape());
            assertArrayEquals(a, s.data("a").toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            assertArrayEquals(new byte[]{1, 2, 3, 4, -5}, s.data("b").toArray(ValueLayout.JAVA_BYTE));
            assertEquals("pt", s.metadata().get("format"));
        }
        // data area starts 8-byte aligned
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8);
    }

    @Test
    void malformedHeadersAreOneLineErrorsNamingFileAndTensor() throws IOException {
        expect(raw(Long.MAX_VALUE, "", 0), "header length");
        expect(raw(1000, "{}", 0), "runs past the end");
        expect(raw(-1, "", 0), "out of bounds");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "runs past the end of the data");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12), "trailing bytes");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "tensor x: F32 [3] needs 12 bytes");
        expect(hdr("{\"x\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'F33'");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "shape[0]");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), "overflows");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlaps");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "gap");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "Duplicate field 'x'");
        expect(hdr("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "before begin");
        expect(hdr("{\"x\":[1,2]}", 0), "entry is not an object");
        expect(hdr("not json", 0), "malformed JSON");
        Path shortFile = tmp.resolve("short.safetensors");
        Files.write(shortFile, new byte[]{1, 2, 3});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsFile.open(shortFile));
        assertTrue(e.getMessage().startsWith(shortFile.toString()));
    }

    private Path raw(long headerLen, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        Path f = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path hdr(String header, int dataBytes) throws IOException {
        return raw(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private static void expect(Path f, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafetensorsFile.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
