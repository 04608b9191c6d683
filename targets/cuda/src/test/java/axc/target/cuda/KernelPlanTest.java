package axc.target.cuda;

import axc.examples.CheckpointGenerator;
import axc.examples.ModelSpec;
import axc.formats.dtype.DType;
import axc.formats.hf.HfCheckpoint;
import axc.frontend.QwenFrontend;
import axc.ir.Attrs;
import axc.ir.Graph;
import axc.ir.Node;
import axc.ir.Op;
import axc.ir.TensorType;
import axc.pass.PassContext;
import axc.passes.StandardPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelPlanTest {
    @Test
    void aFusedQwenGraphLowersToItsShapesSpecialisations(@TempDir Path dir) {
        CheckpointGenerator.write(ModelSpec.preset("tiny"), dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            Graph g = StandardPipeline.create().run(QwenFrontend.build(ck.config(), ck.tensors()), new PassContext());
            List<String> entries = KernelPlan.of(g).specs().stream().map(KernelSpec::entry).sorted().toList();
            int hidden = ck.config().hiddenSize(), inter = ck.config().intermediateSize(), d = ck.config().headDim();
            // BF16 weights: GEMV for decode and tensor-core GEMM for prefill at both row lengths.
            assertTrue(entries.containsAll(List.of("axc_gemv_bf16_" + hidden, "axc_gemm_mma_bf16_" + hidden, "axc_gemv_bf16_" + inter,
                    "axc_embedding_bf16_" + hidden, "axc_rms_norm_" + hidden, "axc_attention_split_" + d, "axc_attention_merge_" + d)), entries.toString());
            assertEquals(entries.stream().distinct().toList(), entries, "each specialisation once");
            // The FFN's rms_norm_matmul with a swiglu stage (gate, up) decodes as one fused gate/up GEMV.
            assertTrue(entries.contains("axc_gemv_swiglu_bf16_" + hidden), entries.toString());
            long swigluNodes = g.nodes().stream().filter(n -> n.op() == Op.RMS_NORM_MATMUL || n.op() == Op.MATMUL)
                    .filter(n -> KernelPlan.swigluGemv(n, n.inputs().subList(n.op() == Op.MATMUL ? 1 : 2, axc.ir.Epilogue.baseInputs(n))
                            .stream().map(g::node).toList())).count();
            assertEquals(ck.config().numLayers(), swigluNodes, "one fused gate/up product per layer");
            // The params the runtime uploads as matrices (raw, packed) rather than float vectors: every
            // layer's seven projections and the (tied) embedding table; norms and biases are vectors.
            java.util.Set<Integer> matrices = CudaGraphExecutable.matrixParams(g);
            assertEquals(7 * ck.config().numLayers() + 1, matrices.size(), matrices.toString());
            for (int id : matrices) {
                String name = g.node(id).name();
                assertTrue(name.endsWith("proj.weight") || name.endsWith("embed_tokens.weight"), name);
            }
        }
    }

    @Test
    void normsAreLeftToGemvReadersOnlyWhereEveryReaderIsAGemv(@TempDir Path dir) {
        CheckpointGenerator.write(ModelSpec.preset("tiny"), dir);
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            Graph raw = QwenFrontend.build(ck.config(), ck.tensors());
            long norms = raw.nodes().stream().filter(n -> n.op() == Op.RMS_NORM).count();
            // Unfused BF16 graph: every norm feeds only matmuls (q/k/v, gate/up, lm_head). One row: all GEMVs.
            assertEquals(norms, KernelPlan.deferredNorms(raw, 1).size());
            // A 32-row prefill takes BF16 matmuls onto tensor cores, which read the normalized value.
            assertEquals(0, KernelPlan.deferredNorms(raw, 32).size());
            // A norm that is a graph output is written whatever reads it.
            Node last = raw.nodes().stream().filter(n -> n.op() == Op.RMS_NORM).reduce((a, b) -> b).orElseThrow();
            Graph withOutput = new Graph(raw.name(), raw.nodes(), java.util.stream.Stream.concat(raw.outputs().stream(), java.util.stream.Stream.of(last.id())).toList());
            assertFalse(KernelPlan.deferredNorms(withOutput, 1).contains(last.id()));
            assertEquals(norms - 1, KernelPlan.deferredNorms(withOutput, 1).size());
        }
    }

    @Test
    void weightsTheKernelsCannotDecodeAreRefusedWithTheReason() {
        TensorType t = TensorType.f32(QwenFrontend.T, 64);
        for (String s : List.of("f32", "f16", "bf16", "q8_0", "q4_0")) {
            Node n = new Node(2, Op.MATMUL, List.of(0, 1), Attrs.of("scheme", s), t);
            assertTrue(KernelPlan.support(null, n).supported(), s);
        }
        for (String s : List.of("q4_k", "q6_k", "gptq_int4_g128", "int8_channel", "w8a8")) {
            Node n = new Node(2, Op.MATMUL, List.of(0, 1), Attrs.of("scheme", s), t);
            assertFalse(KernelPlan.support(null, n).supported(), s);
            assertTrue(KernelPlan.support(null, n).reason().contains(s), KernelPlan.support(null, n).reason());
        }
        Node attention = new Node(4, Op.ATTENTION, List.of(0, 1, 2, 3), Attrs.of("heads", 6, "kv_heads", 4, "head_dim", 64, "layer", 0), t);
        assertFalse(KernelPlan.support(null, attention).supported(), "6 heads do not group over 4 kv heads");
        assertEquals(5, KernelPlan.FORMATS.size());
        assertTrue(KernelPlan.FORMATS.contains(DType.Q4_0));
    }
}
