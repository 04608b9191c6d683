package axc.target.cuda;

import axc.formats.dtype.DType;

import java.util.Locale;

/**
 * One specialisation of a kernel template in {@code axc_kernels.cuh}: the template, the weight format
 * it decodes (null where none) and the size it is unrolled for (a row length K, a normalized width N
 * or a head size D). Its {@link #entry()} is the extern "C" name the runtime launches.
 */
record KernelSpec(Template template, DType dtype, int size) {
    /** Positions one attention split covers; pass 1 keeps their scores in shared memory. */
    static final int ATTENTION_CHUNK = 256;

    enum Template {
        GEMV(256, "const uint8_t* w0, int N0, const uint8_t* w1, int N1, const uint8_t* w2, int N2, const float* x, float* y, "
                + "int ldy, int col0, const float* residual, const float* bias, const float* norm_g, double eps",
                "axc::gemv<%s, %d>(w0, N0, w1, N1, w2, N2, x, y, ldy, col0, residual, bias, norm_g, eps)"),
        GEMV_SWIGLU(256, "const uint8_t* wg, const uint8_t* wu, int N, const float* x, float* y, const float* residual, const float* norm_g, double eps",
                "axc::gemv_swiglu<%s, %d>(wg, wu, N, x, y, residual, norm_g, eps)"),
        GEMM_MMA(128, "const uint8_t* w, int N, const float* x, int rows, float* y, int ldy, int col0, const float* residual",
                "axc::gemm_mma<%s, %d>(w, N, x, rows, y, ldy, col0, residual)"),
        EMBEDDING(256, "const uint8_t* table, int V, const int* ids, float* y", "axc::embedding<%s, %d>(table, V, ids, y)"),
        RMS_NORM(256, "const float* x, const float* g, float* y, int width, double eps", "axc::rms_norm<%2$d>(x, g, y, width, eps)"),
        ROPE(256, "float* v, int width, int heads, const int* pos, const float* inv_freq", "axc::rope<%2$d>(v, width, heads, pos, inv_freq)"),
        ATTENTION_SPLIT(128, "const float* q, const float* kc, const float* vc, const int* pos, int heads, int kv_heads, float* part_acc, float* part_ml, int splits",
                "axc::attention_split<%2$d, " + ATTENTION_CHUNK + ">(q, kc, vc, pos, heads, kv_heads, part_acc, part_ml, splits)"),
        ATTENTION_MERGE(0, "const float* part_acc, const float* part_ml, int heads, int splits, const int* pos, int chunk, float* out",
                "axc::attention_merge<%2$d>(part_acc, part_ml, heads, splits, pos, chunk, out)");

        /** Threads per block, fixed at compile time for the register allocator; 0: the size itself (one thread per feature). */
        final int threads;
        final String params;
        final String call;

        Template(int threads, String params, String call) {
            this.threads = threads;
            this.params = params;
            this.call = call;
        }

        /** Whether this template runs the decode step's per-token work, where a register spill would cost the most. */
        boolean hot() {
            return this == GEMV || this == GEMV_SWIGLU || this == ATTENTION_SPLIT;
        }
    }

    KernelSpec {
        if (size <= 0) throw new IllegalArgumentException("size " + size);
        if (template.call.contains("%s") != (dtype != null)) throw new IllegalArgumentException(template + " with weight type " + dtype);
    }

    static KernelSpec of(Template t, int size) {
        return new KernelSpec(t, null, size);
    }

    static KernelSpec of(Template t, DType dtype, int size) {
        return new KernelSpec(t, dtype, size);
    }

    int threads() {
        return template.threads == 0 ? size : template.threads;
    }

    String entry() {
        return "axc_" + template.name().toLowerCase(Locale.ROOT) + (dtype == null ? "" : "_" + dtype.name().toLowerCase(Locale.ROOT)) + "_" + size;
    }

    /** The extern "C" entry point, with launch bounds so that ptxas allocates registers for the real block size. */
    String definition() {
        String fmt = dtype == null ? "" : "axc::" + dtype.name();
        return "extern \"C\" __global__ void __launch_bounds__(" + threads() + ") " + entry() + "(" + template.params + ") {\n    "
                + String.format(Locale.ROOT, template.call, fmt, size) + ";\n}\n";
    }
}
