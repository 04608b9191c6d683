package axc.target.cuda;

import axc.formats.dtype.DType;
import axc.formats.quant.Dequantizer;
import axc.formats.quant.Quantizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Packed rows decode, as the kernels decode them, to exactly llama.cpp's reference dequantization of the GGUF blocks. */
class CudaLayoutsTest {
    @ParameterizedTest
    @CsvSource({"Q8_0, 7, 96", "Q4_0, 7, 96", "Q8_0, 130, 896", "Q4_0, 130, 4864"})
    void packedRowsDecodeToTheStoredBlocks(DType dtype, int rows, int cols) throws IOException {
        Random r = new Random(rows * 31L + cols);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (i % 101 == 0 ? 20 : 1);
        byte[] blocks = Quantizer.quantize(dtype, x, 0, x.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CudaLayouts.pack(dtype, rows, cols, MemorySegment.ofArray(blocks), Channels.newChannel(out));
        byte[] packed = out.toByteArray();
        assertEquals(blocks.length, packed.length, "the packed form keeps the size the index records");
        assertEquals(0, CudaLayouts.codeBytes(dtype, cols) % 16, "each row's codes start 16-byte aligned");
        float[] want = new float[cols];
        float[] got = new float[cols];
        for (int row = 0; row < rows; row++) {
            Dequantizer.dequantizeRows(dtype, MemorySegment.ofArray(blocks), cols, row, 1, want, 0);
            CudaLayouts.dequantizeRow(dtype, MemorySegment.ofArray(packed), rows, cols, row, got);
            assertArrayEquals(want, got, 0f, dtype + " row " + row);
        }
    }

    @ParameterizedTest
    @CsvSource({"Q8_0, true", "Q4_0, true", "F16, false", "BF16, false", "F32, false", "Q4_K, false"})
    void onlyQ8AndQ4MatricesArePacked(DType dtype, boolean packed) {
        assertEquals(packed, CudaLayouts.packs(dtype, new long[]{64, 256}));
        assertEquals(false, CudaLayouts.packs(dtype, new long[]{256}), "vectors keep their bytes");
    }
}
