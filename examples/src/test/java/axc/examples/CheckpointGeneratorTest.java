package axc.examples;

import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.hf.HfNames;
import axc.formats.hf.ModelConfig;
import axc.formats.io.Sha256;
import axc.formats.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointGeneratorTest {
    static final ModelSpec SMALL = new ModelSpec(Family.QWEN2, 64, 2, 4, 2, 16, 96, 512, true, DType.BF16, 1, 7);

    @ParameterizedTest
    @EnumSource(value = Family.class)
    void writtenCheckpointHasTheShapesItsConfigSays(Family family, @TempDir Path tmp) {
        ModelSpec spec = SMALL.withFamily(family).withTied(false).withDtype(DType.F32);
        Path dir = tmp.resolve("m");
        CheckpointGenerator.write(spec, dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) { // open() checks every tensor against the config
            ModelConfig c = ck.config();
            assertEquals(family, c.family());
            assertEquals(spec.hidden(), c.hiddenSize());
            assertEquals(spec.layers(), c.numLayers());
            assertEquals(spec.vocab(), c.vocabSize());
            assertFalse(c.tieWordEmbeddings());
            assertArrayEquals(new long[]{spec.vocab(), spec.hidden()}, ck.tensors().get(HfNames.LM_HEAD).shape());
            assertArrayEquals(new long[]{spec.intermediate(), spec.hidden()}, ck.tensors().get(HfNames.gate(1)).shape());
            int perLayer = family == Family.QWEN2 ? 12 : 11;
            assertEquals(3 + spec.layers() * perLayer, ck.tensors().tensors().size());
            assertTrue(ck.tensors().tensors().stream().allMatch(t -> t.dtype() == DType.F32));
            assertTrue(ck.tokenizer().hasVocabulary());
        }
    }

    @Test
    void shardedCheckpointReadsBackAsOne(@TempDir Path tmp) {
        Path dir = tmp.resolve("m");
        CheckpointGenerator.write(SMALL.withShards(3), dir);
        assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            assertEquals(3, ck.tensors().files().size());
            assertEquals(2 + 2 * 12, ck.tensors().tensors().size()); // tied: no lm_head
        }
    }

    @Test
    void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot(@TempDir Path tmp) {
        CheckpointGenerator.write(SMALL, tmp.resolve("a"));
        CheckpointGenerator.write(SMALL, tmp.resolve("b"));
        CheckpointGenerator.write(SMALL.withSeed(8), tmp.resolve("c"));
        String a = Sha256.of(tmp.resolve("a/model.safetensors"));
        assertEquals(a, Sha256.of(tmp.resolve("b/model.safetensors")));
        assertFalse(a.equals(Sha256.of(tmp.resolve("c/model.safetensors"))));
    }

    @Test
    void outlierChannelsCarryLargeEmbeddingValues(@TempDir Path tmp) {
        ModelSpec spec = SMALL.withDtype(DType.F32);
        CheckpointGenerator.write(spec, tmp.resolve("m"));
        BitSet outliers = CheckpointGenerator.outlierChannels(spec);
        assertTrue(outliers.cardinality() >= 2);
        try (HfCheckpoint ck = HfCheckpoint.open(tmp.resolve("m"))) {
            TensorInfo e = ck.tensors().get(HfNames.EMBED);
            MemorySegment d = ck.tensors().data(HfNames.EMBED);
            int h = (int) e.dim(1);
            double[] sumSq = new double[h];
            for (long i = 0; i < e.elements(); i++) {
                float v = d.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 4);
                sumSq[(int) (i % h)] += v * v;
            }
            double normal = 0;
            int n = 0;
            for (int c = 0; c < h; c++) if (!outliers.get(c)) { normal += sumSq[c]; n++; }
            normal /= n;
            for (int c = outliers.nextSetBit(0); c >= 0; c = outliers.nextSetBit(c + 1)) {
                assertTrue(sumSq[c] > 20 * normal, "channel " + c + " is an outlier");
            }
        }
    }

    @Test
    void presetsHaveTheirDocumentedShapes() {
        ModelSpec s = ModelSpec.preset("qwen2.5-0.5b-shape");
        assertEquals(896, s.hidden());
        assertEquals(24, s.layers());
        assertEquals(14, s.heads());
        assertEquals(2, s.kvHeads());
        assertEquals(4864, s.intermediate());
        assertEquals(151936, s.vocab());
    }

    @Test
    void shippedDefaultModelExtractsIntact(@TempDir Path tmp) {
        Path dir = ExampleModels.extractTinyPy(tmp.resolve("tiny-py"));
        assertEquals("9280f07f1fb07cf998d14516feec9de205d96d45390cc15a76bb724af22fd039", Sha256.of(dir.resolve("model.safetensors")));
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            assertEquals(32064, ck.config().vocabSize());
            assertEquals(11_226_880L, ck.tensors().tensors().stream().mapToLong(TensorInfo::elements).sum());
        }
    }
}
