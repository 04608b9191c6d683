package axc.examples;

import axc.formats.convert.Converter;
import axc.formats.dtype.DType;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.formats.io.AtomicOutput;
import axc.formats.tensor.TensorInfo;
import axc.progress.Progress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** HF -> GGUF -> HF and HF -> HF (re-sharded) keep every tensor bit for bit when the dtype is unchanged. */
class ConvertRoundTripProperties {
    @Property(tries = 12)
    void hfToGgufToHfIsBitExact(@ForAll Family family, @ForAll("floatTypes") DType dtype, @ForAll boolean tied,
                                @ForAll @IntRange(min = 1, max = 3) int headsPerKv, @ForAll @IntRange(min = 1, max = 3) int layers,
                                @ForAll @LongRange(min = 1, max = 1000) long seed) throws IOException {
        int kv = 2;
        int headDim = 16;
        int heads = kv * headsPerKv;
        ModelSpec spec = new ModelSpec(family, heads * headDim, layers, heads, kv, headDim, 48, 320, tied, dtype, 1, seed);
        Path tmp = Files.createTempDirectory("axc-rt");
        try {
            Path hf = tmp.resolve("hf");
            CheckpointGenerator.write(spec, hf);
            Path gguf = tmp.resolve("m.gguf");
            Converter.convert(hf, gguf, Converter.Format.GGUF, null, 0, Progress.SILENT);
            Path back = tmp.resolve("back");
            Converter.convert(gguf, back, Converter.Format.SAFETENSORS, null, 0, Progress.SILENT);
            Path resharded = tmp.resolve("resharded");
            Converter.convert(hf, resharded, Converter.Format.SAFETENSORS, null, 20_000, Progress.SILENT);
            try (HfCheckpoint a = HfCheckpoint.open(hf); HfCheckpoint b = HfCheckpoint.open(back); HfCheckpoint c = HfCheckpoint.open(resharded)) {
                assertEquals(a.config().withFamily(family).hiddenSize(), b.config().hiddenSize());
                assertEquals(a.config().tieWordEmbeddings(), b.config().tieWordEmbeddings());
                assertEquals(a.tensors().tensors().size(), b.tensors().tensors().size());
                assertEquals(true, c.tensors().files().size() > 1);
                for (TensorInfo t : a.tensors().tensors()) {
                    assertEquals(t.dtype(), b.tensors().get(t.name()).dtype(), t.name());
                    assertArrayEquals(t.shape(), b.tensors().get(t.name()).shape(), t.name());
                    assertBytes(a.tensors().data(t.name()), b.tensors().data(t.name()), t.name());
                    assertBytes(a.tensors().data(t.name()), c.tensors().data(t.name()), t.name());
                }
            }
        } finally {
            AtomicOutput.deleteQuietly(tmp);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<DType> floatTypes() {
        return net.jqwik.api.Arbitraries.of(DType.F32, DType.F16, DType.BF16);
    }

    private static void assertBytes(MemorySegment x, MemorySegment y, String name) {
        assertEquals(x.byteSize(), y.byteSize(), name);
        assertEquals(-1L, x.mismatch(y), name + " differs");
    }
}
