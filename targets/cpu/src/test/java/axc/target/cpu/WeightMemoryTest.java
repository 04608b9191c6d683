package axc.target.cpu;

import axc.errors.InvalidInputException;
import axc.examples.ExampleModels;
import axc.formats.hf.HfCheckpoint;
import axc.frontend.QwenFrontend;
import axc.interp.InterpretedModel;
import axc.interp.WeightsParams;
import axc.model.LanguageModel;
import axc.reference.Weights;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightMemoryTest {
    @Test
    void settingsParse() {
        assertEquals(WeightMemory.Mode.COPY, WeightMemory.parse(null));
        assertEquals(WeightMemory.Mode.COPY, WeightMemory.parse(" Copy "));
        assertEquals(WeightMemory.Mode.MAPPED, WeightMemory.parse("mapped"));
        assertEquals(WeightMemory.Mode.MAPPED, WeightMemory.parse("mmap"));
        assertThrows(IllegalArgumentException.class, () -> WeightMemory.parse("huge"));
    }

    @Test
    void aBadSettingIsOneLineNamingWhereItCameFrom() {
        String old = System.getProperty("axc.cpu.weights");
        try {
            System.setProperty("axc.cpu.weights", "swap");
            InvalidInputException e = assertThrows(InvalidInputException.class, WeightMemory::configured);
            assertEquals("the system property axc.cpu.weights is 'swap': use copy or mapped", e.getMessage());
        } finally {
            if (old == null) System.clearProperty("axc.cpu.weights");
            else System.setProperty("axc.cpu.weights", old);
        }
    }

    @Test
    void copyPlacesNativeWeightsElsewhereWithTheSameBytes() {
        MemorySegment stored = MemorySegment.ofArray(new byte[0]);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            byte[] bytes = new byte[300_000];
            new Random(1).nextBytes(bytes);
            MemorySegment mapped = arena.allocate(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            MemorySegment copy = new WeightMemory(WeightMemory.Mode.COPY).place(mapped);
            assertNotEquals(mapped.address(), copy.address());
            assertEquals(-1, mapped.mismatch(copy));
            assertSame(mapped, new WeightMemory(WeightMemory.Mode.MAPPED).place(mapped));
            // Heap arrays are not what the native kernels read: left alone.
            assertSame(stored, new WeightMemory(WeightMemory.Mode.COPY).place(stored));
        }
    }

    /** A copy split between a pool's threads, over a size that is not a whole number of pieces. */
    @Test
    void copiesSplitBetweenThreadsHoldEveryByte() {
        byte[] bytes = new byte[(13 << 20) + 12_345];
        new Random(5).nextBytes(bytes);
        try (var arena = java.lang.foreign.Arena.ofConfined(); RowPool pool = new RowPool(3)) {
            MemorySegment mapped = arena.allocate(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            MemorySegment copy = new WeightMemory(WeightMemory.Mode.COPY, pool).place(mapped);
            assertNotEquals(mapped.address(), copy.address());
            assertEquals(bytes.length, copy.byteSize());
            assertEquals(-1, mapped.mismatch(copy));
        }
    }

    /** Carved pieces are 64-byte aligned, disjoint, and keep what was written to them. */
    @Test
    void carvedPiecesAreAlignedAndDisjoint() {
        WeightMemory memory = new WeightMemory(WeightMemory.Mode.COPY);
        Random rnd = new Random(7);
        List<MemorySegment> pieces = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Mostly small pieces, now and then one that gets a mapping of its own.
            long bytes = i % 50 == 49 ? (9L << 20) + rnd.nextInt(1000) : 1 + rnd.nextInt(1 << 18);
            MemorySegment p = memory.allocate(bytes);
            assertEquals(bytes, p.byteSize());
            assertEquals(0, p.address() % 64, "piece " + i);
            p.fill((byte) i);
            pieces.add(p);
        }
        for (int i = 0; i < pieces.size(); i++) {
            MemorySegment p = pieces.get(i);
            byte want = (byte) i;
            assertEquals(want, p.get(ValueLayout.JAVA_BYTE, 0), "piece " + i + " first byte");
            assertEquals(want, p.get(ValueLayout.JAVA_BYTE, p.byteSize() - 1), "piece " + i + " last byte");
        }
    }

    /** The trained model gives the same logits bit for bit whether its weights are copied or read in place. */
    @Test
    void copiedAndMappedWeightsGiveTheSameLogits() throws Exception {
        Path dir = ExampleModels.extractTinyPy(Files.createTempDirectory("axc-cpu-weights").resolve("m"));
        float[][] copy = logits(dir, WeightMemory.Mode.COPY);
        float[][] mapped = logits(dir, WeightMemory.Mode.MAPPED);
        for (int i = 0; i < copy.length; i++) assertArrayEquals(mapped[i], copy[i], "step " + i);
        assertTrue(copy[0].length > 1000);
    }

    private static float[][] logits(Path dir, WeightMemory.Mode mode) throws Exception {
        try (HfCheckpoint ck = HfCheckpoint.open(dir); RowPool pool = new RowPool(2)) {
            Weights w = new Weights(ck.tensors(), ck.config(), dir);
            InterpretedModel model = new InterpretedModel(QwenFrontend.build(ck.config(), ck.tensors()), ck.config(),
                    new CpuParams(new WeightsParams(w), ck.tensors(), pool, Activations.INT8, mode), w.matrixBytes());
            LanguageModel.Session session = model.newSession(64);
            float[][] out = new float[4][];
            out[0] = session.prefillLast(new int[]{11, 22, 33, 44, 55}).clone();
            for (int i = 1; i < out.length; i++) out[i] = session.next(100 + i).clone();
            return out;
        }
    }
}
