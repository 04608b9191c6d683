package axc.formats.gguf;

import axc.formats.tokenizer.Utf8;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Metadata arrays kept as their bytes ({@link EncodedArray}) read back what was written, element by
 * element and type by type, and the UTF-8 check the reader applies ({@link Utf8#malformedAt}) accepts
 * exactly what the JDK's strict decoder does.
 */
class EncodedArrayProperties {
    @Property(tries = 2000)
    void utf8CheckAgreesWithTheStrictDecoder(@ForAll long seed, @ForAll @IntRange(min = 0, max = 12) int length) {
        Random r = new Random(seed);
        byte[] b = new byte[length];
        // Lead and continuation bytes around every boundary the check draws, and plain ASCII.
        int[] pool = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
        for (int i = 0; i < length; i++) b[i] = (byte) pool[r.nextInt(pool.length)];
        boolean strict;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            strict = true;
        } catch (CharacterCodingException e) {
            strict = false;
        }
        assertEquals(strict, Utf8.malformedAt(b, 0, b.length) < 0, java.util.HexFormat.of().formatHex(b));
    }

    @Property(tries = 30)
    void arraysOfEveryTypeReadBackWhatWasWritten(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        Map<GgufValueType, List<Object>> written = new LinkedHashMap<>();
        for (GgufValueType t : GgufValueType.values()) {
            if (t == GgufValueType.ARRAY) continue;
            List<Object> values = new ArrayList<>();
            for (int i = 0, n = r.nextInt(40); i < n; i++) values.add(element(t, r));
            written.put(t, values);
            meta.put("test." + t.name().toLowerCase(), GgufValue.array(t, values));
        }
        Path f = Files.createTempFile("encoded", ".gguf");
        try {
            GgufWriter.write(f, meta, List.of());
            try (GgufFile g = GgufFile.open(f)) {
                for (var e : written.entrySet()) {
                    GgufValue v = g.meta("test." + e.getKey().name().toLowerCase()).orElseThrow();
                    assertInstanceOf(EncodedArray.class, v.value());
                    assertEquals(e.getValue(), v.list(), e.getKey().name());
                    assertEquals(e.getValue(), v.list(), e.getKey().name() + ", read a second time");
                }
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static Object element(GgufValueType t, Random r) {
        return switch (t) {
            case UINT8 -> (long) r.nextInt(256);
            case INT8 -> (long) (byte) r.nextInt();
            case BOOL -> r.nextBoolean();
            case UINT16 -> (long) r.nextInt(65536);
            case INT16 -> (long) (short) r.nextInt();
            case UINT32 -> r.nextLong() & 0xFFFFFFFFL;
            case INT32 -> (long) r.nextInt();
            case FLOAT32 -> (double) Float.intBitsToFloat(r.nextInt(0x7F800000));
            case UINT64, INT64 -> r.nextLong() >>> 1;
            case FLOAT64 -> r.nextGaussian() * 1e6;
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0, n = r.nextInt(6); i < n; i++) sb.appendCodePoint(switch (r.nextInt(4)) {
                    case 0 -> 'a' + r.nextInt(26);
                    case 1 -> 0x100 + r.nextInt(0x700);   // two bytes, as a byte-level vocabulary's Ġ
                    case 2 -> 0xAC00 + r.nextInt(0x2000); // three
                    default -> 0x1F300 + r.nextInt(0x300); // four
                });
                yield sb.toString();
            }
            case ARRAY -> throw new IllegalArgumentException();
        };
    }
}
