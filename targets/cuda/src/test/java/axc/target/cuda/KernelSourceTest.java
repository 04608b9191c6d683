package axc.target.cuda;

import axc.formats.dtype.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel specialisation the 0.5B- and 7B-shaped Qwen models need (and the head sizes of both),
 * compiled by nvcc for every listed architecture, as CI can without a GPU: ptxas must report each
 * one for each architecture, and the per-token kernels must not spill registers. Needs the CUDA
 * toolkit, which the development machines and CI have (see README).
 */
class KernelSourceTest {
    /** Row lengths: 0.5B hidden and MLP, 7B hidden and MLP. */
    static final int[] K = {896, 4864, 3584, 18944};
    static final int[] HEAD_DIMS = {64, 128};
    static final List<String> ELEMENTWISE = List.of("axc_add", "axc_mul", "axc_silu", "axc_swiglu", "axc_swiglu_rows", "axc_bias_add",
            "axc_slice", "axc_place", "axc_kv_write");

    static List<KernelSpec> specs;
    static Nvcc.Result result;

    @BeforeAll
    static void compile() {
        specs = new ArrayList<>();
        for (DType d : KernelPlan.FORMATS) {
            for (int k : K) {
                specs.add(KernelSpec.of(KernelSpec.Template.GEMV, d, k));
                specs.add(KernelSpec.of(KernelSpec.Template.GEMV_SWIGLU, d, k));
                specs.add(KernelSpec.of(KernelSpec.Template.EMBEDDING, d, k));
                if (d == DType.F16 || d == DType.BF16) specs.add(KernelSpec.of(KernelSpec.Template.GEMM_MMA, d, k));
            }
        }
        for (int k : K) specs.add(KernelSpec.of(KernelSpec.Template.RMS_NORM, k));
        for (int d : HEAD_DIMS) {
            specs.add(KernelSpec.of(KernelSpec.Template.RMS_NORM, d));
            specs.add(KernelSpec.of(KernelSpec.Template.ROPE, d));
            specs.add(KernelSpec.of(KernelSpec.Template.ATTENTION_SPLIT, d));
            specs.add(KernelSpec.of(KernelSpec.Template.ATTENTION_MERGE, d));
        }
        Nvcc nvcc = Nvcc.find().orElseThrow(() -> new AssertionError("these tests need the CUDA toolkit's nvcc (/usr/local/cuda/bin/nvcc, or set AXC_NVCC)"));
        result = nvcc.compile(KernelSource.render(specs));
    }

    @Test
    void everyKernelIsBuiltForEveryArchitecture() {
        Set<String> want = new TreeSet<>(ELEMENTWISE);
        for (KernelSpec s : specs) want.add(s.entry());
        for (int arch : Nvcc.ARCHS) {
            Set<String> got = new TreeSet<>();
            for (Nvcc.PtxasReport.Entry e : result.report().entries()) if (e.arch() == arch) got.add(e.function());
            assertEquals(want, got, "kernels ptxas built for sm_" + arch);
        }
        assertTrue(result.fatbin().length > 0);
    }

    @Test
    void theDecodeKernelsDoNotSpillRegisters() {
        int hot = 0;
        for (Nvcc.PtxasReport.Entry e : result.report().entries()) {
            KernelSpec s = specs.stream().filter(k -> k.entry().equals(e.function())).findFirst().orElse(null);
            if (s == null || !s.template().hot()) continue;
            hot++;
            assertFalse(e.spills(), e.function() + " on sm_" + e.arch() + " spills: " + e);
            assertEquals(0, e.stackBytes(), e.function() + " on sm_" + e.arch() + " uses a stack frame");
        }
        assertTrue(hot >= 3 * KernelPlan.FORMATS.size() * K.length * Nvcc.ARCHS.size() / 2, "hot kernels checked: " + hot);
    }

    @Test
    void theSameSpecsRenderTheSameSourceWhateverTheirOrder() {
        List<KernelSpec> reversed = new ArrayList<>(specs);
        java.util.Collections.reverse(reversed);
        reversed.add(specs.getFirst());
        assertEquals(KernelSource.render(specs), KernelSource.render(reversed));
    }

    @Test
    void ptxasReportParsesNvccsLines() {
        String log = """
                ptxas info    : Compiling entry function 'axc_gemv_q8_0_896' for 'sm_80'
                ptxas info    : Function properties for axc_gemv_q8_0_896
                    8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
                ptxas info    : Used 64 registers, used 0 barriers, 400 bytes cmem[0]
                """;
        Nvcc.PtxasReport r = Nvcc.PtxasReport.parse(log);
        assertEquals(List.of(new Nvcc.PtxasReport.Entry("axc_gemv_q8_0_896", 80, 64, 8, 4, 12)), r.entries());
        assertTrue(r.entries().getFirst().spills());
        assertEquals("axc_gemv_q8_0_896 sm_80 registers=64 stack=8 spill_stores=4 spill_loads=12\n", r.text());
        assertEquals(r, Nvcc.PtxasReport.parseText(r.text()), "the artifact's report reads back");
        assertEquals(result.report().entries().size(), Nvcc.PtxasReport.parseText(result.report().text()).entries().size());
    }
}
