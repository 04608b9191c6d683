package axc.frontend;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.convert.GgufHfConfig;
import axc.formats.gguf.GgufFile;
import axc.formats.hf.Family;
import axc.formats.hf.HfCheckpoint;
import axc.ir.Graph;
import axc.ir.IrVerificationException;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.Verifier;
import axc.ir.pb.GraphCodec;
import axc.ir.text.AxirParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QwenFrontendTest {
    static Map<String, Integer> opCounts(Graph g) {
        Map<String, Integer> m = new TreeMap<>();
        for (Node n : g.nodes()) m.merge(n.op().spelling(), 1, Integer::sum);
        return m;
    }

    @Test
    void qwen2GraphHasBiasesAndQwen3GraphHasHeadNorms(@TempDir Path tmp) {
        for (Family f : Family.values()) {
            Path dir = tmp.resolve(f.name());
            CheckpointGenerator.write(ModelSpec.preset("tiny").withFamily(f), dir);
            try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
                Graph g = QwenFrontend.build(ck.config(), ck.tensors());
                Map<String, Integer> ops = opCounts(g);
                int layers = ck.config().numLayers();
                assertEquals(f.ggufArch(), g.name());
                assertEquals(2, ops.get("input"));
                assertEquals(1, ops.get("embedding"));
                assertEquals(2 * layers + 1, ops.get("rms_norm"));
                assertEquals(7 * layers + 1, ops.get("matmul"));
                assertEquals(2 * layers, ops.get("rope"));
                assertEquals(layers, ops.get("attention"));
                assertEquals(f == Family.QWEN2 ? 3 * layers : null, ops.get("bias_add"));
                assertEquals(f == Family.QWEN3 ? 2 * layers : null, ops.get("head_rms_norm"));
                // Every weight read in its stored form (the generator writes BF16), named as in Hugging Face.
                for (Node n : g.nodes()) if (n.op().readsWeights()) assertEquals("bf16", n.attrs().getString("scheme"));
                String text = g.toString();
                if (f == Family.QWEN2) {
                    assertTrue(text.startsWith("""
                            axir 1
                            graph qwen2 {
                              %0 = input tokens : i32[T]
                              %1 = input positions : i32[T]
                              %2 = param @model.embed_tokens.weight {scheme=bf16} : f32[151936,64]
                              %3 = embedding(@model.embed_tokens.weight, %0) {scheme=bf16} : f32[T,64]
                              %4 = param @model.layers.0.input_layernorm.weight {scheme=bf16} : f32[64]
                              %5 = rms_norm(%3, @model.layers.0.input_layernorm.weight) {eps=1.0E-6} : f32[T,64]
                            """), text);
                }
                assertTrue(text.contains("= matmul(%"), text);
                assertTrue(text.contains(", @model.layers.0.self_attn.q_proj.weight) {scheme=bf16} : f32[T,64]"), text);
                assertTrue(text.contains("= attention(%"), text);
                assertTrue(text.contains("{head_dim=16, heads=4, kv_heads=2, layer=1} : f32[T,64]"), text);
                // The tied head reads the embedding table.
                Node logits = g.node(g.outputs().getFirst());
                assertEquals("model.embed_tokens.weight", g.node(logits.input(1)).name());
                assertEquals("f32[T,151936]", logits.type().toString());
                assertEquals(g, AxirParser.parse(text));
                assertEquals(g, GraphCodec.fromBytes(GraphCodec.toBytes(g)));
                assertThrows(IrVerificationException.class, () -> Verifier.verify(g, name -> !name.contains("k_proj")));
            }
        }
    }

    static Path fixture(String name) {
        try {
            return Path.of(QwenFrontendTest.class.getResource("/gguf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void ggufTensorsAreParamsUnderTheirHuggingFaceNamesWithTheirBlockType() {
        try (GgufFile q8 = GgufFile.open(fixture("tiny-Q8_0.gguf"))) {
            Graph g = QwenFrontend.build(GgufHfConfig.modelConfig(q8), q8);
            Node q = g.param("model.layers.0.self_attn.q_proj.weight").orElseThrow();
            assertEquals("q8_0", q.attrs().getString("scheme"));
            assertFalse(g.toString().contains("blk."));
            IrVerificationException e = assertThrows(IrVerificationException.class,
                    () -> Verifier.verify(g, name -> !name.equals("model.layers.0.mlp.up_proj.weight")));
            assertTrue(e.getMessage().contains("(param model.layers.0.mlp.up_proj.weight): tensor model.layers.0.mlp.up_proj.weight is not in the weights"), e.getMessage());
        }
    }
}
