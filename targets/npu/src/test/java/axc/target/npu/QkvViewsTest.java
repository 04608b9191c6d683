package axc.target.npu;

import axc.ir.Graph;
import axc.ir.text.AxirParser;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which slices the attention reads in place: the fused QKV pattern, and the ways a graph breaks it. */
class QkvViewsTest {
    /** One layer as the compiler lowers a Qwen2 model: QKV projection, its three slices, attention, output projection. */
    static String layer(String slices, String attentionInputs, String returns) {
        return """
                axir 1
                graph g {
                  %0 = input x : f32[T,64]
                  %1 = input positions : i32[T]
                  %2 = param @wqkv : f32[128,64]
                  %3 = param @wo : f32[64,64]
                  %4 = matmul(%0, @wqkv) : f32[T,128]
                """ + slices + """
                  %8 = attention(%attn) {head_dim=16, heads=4, kv_heads=2, layer=0} : f32[T,64]
                  %9 = matmul(%8, @wo) : f32[T,64]
                  return %ret
                }
                """.replace("%attn", attentionInputs).replace("%ret", returns);
    }

    static final String SLICES = """
              %5 = slice(%4) {size=64, start=0} : f32[T,64]
              %6 = slice(%4) {size=32, start=64} : f32[T,32]
              %7 = slice(%4) {size=32, start=96} : f32[T,32]
            """;

    @Test
    void theThreeSlicesOfAFusedProjectionAreViews() {
        QkvViews v = QkvViews.of(AxirParser.parse(layer(SLICES, "%5, %6, %7, %1", "%9")));
        assertEquals(Set.of(5, 6, 7), v.slices());
        assertEquals(Set.of(4), v.projections());
    }

    @Test
    void aSliceSomethingElseReadsOrThatIsAnOutputOrOutOfOrderIsNot() {
        Graph out = AxirParser.parse(layer(SLICES, "%5, %6, %7, %1", "%9, %6"));
        assertTrue(QkvViews.of(out).slices().isEmpty(), "a slice that is a graph output");
        Graph swapped = AxirParser.parse(layer(SLICES, "%5, %7, %6, %1", "%9"));
        assertTrue(QkvViews.of(swapped).slices().isEmpty(), "k and v taken from each other's columns");
        Graph projectionOut = AxirParser.parse(layer(SLICES, "%5, %6, %7, %1", "%9, %4"));
        assertTrue(QkvViews.of(projectionOut).slices().isEmpty(), "the projection is a graph output");
        String shifted = SLICES.replace("{size=64, start=0}", "{size=64, start=1}");
        assertTrue(QkvViews.of(AxirParser.parse(layer(shifted, "%5, %6, %7, %1", "%9"))).slices().isEmpty(), "q not the first columns");
    }
}
