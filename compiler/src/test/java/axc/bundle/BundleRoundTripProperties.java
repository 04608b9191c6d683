package axc.bundle;

import axc.formats.io.AtomicOutput;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Write then read gives back every entry; the same entries always give the same bytes. */
class BundleRoundTripProperties {
    private record Spec(String name, int size) {
    }

    /**
     * Entry names of one to three segments; folders start with 'd' and files with 'f', so no file is
     * also a folder. Sizes favour the edges of a 512-byte block.
     */
    @Provide
    Arbitrary<Map<String, Integer>> entries() {
        Arbitrary<String> seg = Arbitraries.strings().withChars("abcxyz0189._-+=@,:~").ofMinLength(0).ofMaxLength(10);
        Arbitrary<String> dirs = seg.map(s -> "d" + s).list().ofMaxSize(2).map(l -> l.isEmpty() ? "" : String.join("/", l) + "/");
        Arbitrary<String> names = Combinators.combine(dirs, seg).as((d, f) -> d + "f" + f);
        Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0, 1, 511, 512, 513, 1023, 1024, 1025)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 4000)));
        return Arbitraries.maps(names, sizes).ofMaxSize(12).map(TreeMap::new);
    }

    @Property(tries = 40)
    void writeThenReadGivesEveryEntryBack(@ForAll("entries") Map<String, Integer> spec, @ForAll @LongRange(max = 1000) long seed)
            throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        spec.forEach((n, s) -> entries.put(n, Fixtures.random(seed + n.hashCode(), s)));
        Path dir = Files.createTempDirectory("axc-bundle");
        try {
            Path out = dir.resolve("m.axc");
            Manifest written = Fixtures.writerWith(entries).seed(seed).finish(out);
            try (Bundle b = Bundle.open(out, VerificationCache.none())) {
                assertEquals(written, b.manifest());
                assertEquals(List.copyOf(entries.keySet()), b.names());
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    assertArrayEquals(e.getValue(), b.data(e.getKey()).toArray(ValueLayout.JAVA_BYTE), e.getKey());
                    assertEquals(0, b.manifest().entry(e.getKey()).orElseThrow().offset() % 512);
                }
                assertEquals(Bundle.Verification.HASHED, b.verify());
            }
        } finally {
            AtomicOutput.deleteQuietly(dir);
        }
    }

    @Property(tries = 20)
    void sameEntriesInAnyOrderGiveTheSameBytes(@ForAll("entries") Map<String, Integer> spec, @ForAll long seed) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        spec.forEach((n, s) -> entries.put(n, Fixtures.random(n.hashCode(), s)));
        List<String> shuffled = new ArrayList<>(entries.keySet());
        Collections.shuffle(shuffled, new Random(seed));
        Path dir = Files.createTempDirectory("axc-bundle");
        try {
            Fixtures.writerWith(entries).finish(dir.resolve("a.axc"));
            BundleWriter w = Fixtures.writer();
            for (String n : shuffled) w.add(n, entries.get(n));
            w.finish(dir.resolve("b.axc"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("a.axc")), Files.readAllBytes(dir.resolve("b.axc")));
        } finally {
            AtomicOutput.deleteQuietly(dir);
        }
    }
}
