// Products over 4-bit grouped weights in GPTQ's packed layout, as axc writes its int4 schemes (RTN,
// AWQ, GPTQ; group 32, 64 or 128; symmetric or with zero-points) and as transformers loads them:
// qweight int32 [K/8][N], eight input rows per word, lowest nibble first; per group of input rows a
// scale and a zero-point per output. The weight is scale * (code - zero).
//
// The layout is input-major, so a band of 16 outputs is 16 consecutive words of each qweight row:
// 16 outputs go in one AVX-512 register, each word's eight codes are eight multiply-adds with the
// eight inputs broadcast, and nothing is repacked. Per group, the code . x sums are scaled once:
// sum(scale * (code - zero) * x) = scale * sum(code * x) - (scale * zero) * sum(x); the caller passes
// scale and scale * zero per (group, output) in float32 (sz), and sum(x) per group is computed here
// once per call. Groups must be the input rows in order (no act-order permutation); the caller keeps
// act-ordered matrices on the interpreter.
//
// Included by axc_cpu_kernels.h, after its helpers.
#ifndef AXC_CPU_INT4_H
#define AXC_CPU_INT4_H

/** Output j for activation row xt: the reference arithmetic, one output at a time (tails, portable). */
static inline float axc_g4_dot_portable(const uint32_t* qw, const float* scales, const float* sz, int cols, int rows, int group,
                                        const float* xt, const float* sx, int j) {
    float acc = 0.0f;
    for (int g = 0; g < cols / group; g++) {
        float s1 = 0.0f;
        for (int p = g * group / 8; p < (g + 1) * group / 8; p++) {
            uint32_t word = qw[(size_t)p * rows + j];
            for (int b = 0; b < 8; b++) s1 += (float)((word >> (4 * b)) & 15) * xt[8 * p + b];
        }
        acc += scales[(size_t)g * rows + j] * s1 - sz[(size_t)g * rows + j] * sx[g];
    }
    return acc;
}

#ifdef AXC_X86
/**
 * AVX2: outputs j0..j0+8 * v for nt activation rows (v vectors of 8 outputs; v * nt <= 4), stored at
 * y + t * yStride. One row takes four vectors (32 outputs, 128 bytes per qweight row, for the same
 * reason as axc_g4_band64_avx512); several take one vector and up to four rows.
 */
AXC_AVX2 static void axc_g4_band_avx2(const uint32_t* qw, const float* scales, const float* sz, int cols, int rows, int group,
                                      const float* const* xt, const float* const* sx, int nt, int v, int j0, float* y, size_t yStride) {
    const __m256i nib = _mm256_set1_epi32(15);
    __m256 acc[4], s1[4];
    for (int a = 0; a < 4; a++) acc[a] = _mm256_setzero_ps();
    for (int g = 0; g < cols / group; g++) {
        for (int a = 0; a < 4; a++) s1[a] = _mm256_setzero_ps();
        for (int p = g * group / 8; p < (g + 1) * group / 8; p++) {
            const uint32_t* row = qw + (size_t)p * rows + j0;
            __m256i w[4];
            for (int u = 0; u < v; u++) w[u] = _mm256_loadu_si256((const __m256i*)(row + 8 * u));
            for (int b = 0; b < 8; b++) {
                for (int u = 0; u < v; u++) {
                    __m256 c = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(w[u], 4 * b), nib));
                    for (int t = 0; t < nt; t++) s1[u * nt + t] = _mm256_fmadd_ps(c, _mm256_set1_ps(xt[t][8 * p + b]), s1[u * nt + t]);
                }
            }
        }
        for (int u = 0; u < v; u++) {
            __m256 sc = _mm256_loadu_ps(scales + (size_t)g * rows + j0 + 8 * u), z = _mm256_loadu_ps(sz + (size_t)g * rows + j0 + 8 * u);
            for (int t = 0; t < nt; t++) {
                acc[u * nt + t] = _mm256_fnmadd_ps(z, _mm256_set1_ps(sx[t][g]), _mm256_fmadd_ps(sc, s1[u * nt + t], acc[u * nt + t]));
            }
        }
    }
    for (int u = 0; u < v; u++) {
        for (int t = 0; t < nt; t++) _mm256_storeu_ps(y + yStride * t + 8 * u, acc[u * nt + t]);
    }
}

/** Outputs j0..j0+16 for nt (1..4) activation rows, stored at y + t * yStride. */
AXC_AVX512 static void axc_g4_band16_avx512(const uint32_t* qw, const float* scales, const float* sz, int cols, int rows, int group,
                                            const float* const* xt, const float* const* sx, int nt, int j0, float* y, size_t yStride) {
    const __m512i nib = _mm512_set1_epi32(15);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int g = 0; g < cols / group; g++) {
        __m512 s1[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (int p = g * group / 8; p < (g + 1) * group / 8; p++) {
            __m512i w = _mm512_loadu_si512(qw + (size_t)p * rows + j0);
            for (int b = 0; b < 8; b++) {
                __m512 c = _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(w, 4 * b), nib));
                for (int t = 0; t < nt; t++) s1[t] = _mm512_fmadd_ps(c, _mm512_set1_ps(xt[t][8 * p + b]), s1[t]);
            }
        }
        __m512 sc = _mm512_loadu_ps(scales + (size_t)g * rows + j0), z = _mm512_loadu_ps(sz + (size_t)g * rows + j0);
        for (int t = 0; t < nt; t++) acc[t] = _mm512_fnmadd_ps(z, _mm512_set1_ps(sx[t][g]), _mm512_fmadd_ps(sc, s1[t], acc[t]));
    }
    for (int t = 0; t < nt; t++) _mm512_storeu_ps(y + yStride * t, acc[t]);
}

/**
 * Outputs j0..j0+64 for one activation row. A qweight row is N * 4 bytes long, so a 16-output band
 * reads 64 bytes per page it touches; four bands at once read 256, and one row's product (decode) is
 * not held up by address translation.
 */
AXC_AVX512 static void axc_g4_band64_avx512(const uint32_t* qw, const float* scales, const float* sz, int cols, int rows, int group,
                                            const float* xt, const float* sx, int j0, float* y) {
    const __m512i nib = _mm512_set1_epi32(15);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int g = 0; g < cols / group; g++) {
        __m512 s1[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        for (int p = g * group / 8; p < (g + 1) * group / 8; p++) {
            const uint32_t* row = qw + (size_t)p * rows + j0;
            __m512i w[4] = {_mm512_loadu_si512(row), _mm512_loadu_si512(row + 16), _mm512_loadu_si512(row + 32), _mm512_loadu_si512(row + 48)};
            for (int b = 0; b < 8; b++) {
                __m512 xb = _mm512_set1_ps(xt[8 * p + b]);
                for (int v = 0; v < 4; v++) s1[v] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(w[v], 4 * b), nib)), xb, s1[v]);
            }
        }
        __m512 sxg = _mm512_set1_ps(sx[g]);
        for (int v = 0; v < 4; v++) {
            const float* sc = scales + (size_t)g * rows + j0 + 16 * v;
            const float* z = sz + (size_t)g * rows + j0 + 16 * v;
            acc[v] = _mm512_fnmadd_ps(_mm512_loadu_ps(z), sxg, _mm512_fmadd_ps(_mm512_loadu_ps(sc), s1[v], acc[v]));
        }
    }
    for (int v = 0; v < 4; v++) _mm512_storeu_ps(y + 16 * v, acc[v]);
}
#endif

/** Pointers to activation rows t0..t0+nt and their per-group sums. */
static inline void axc_g4_rows(const float* x, const float* sums, int cols, int groups, int t0, int nt, const float** xt, const float** sx) {
    for (int t = 0; t < nt; t++) {
        xt[t] = x + (size_t)(t0 + t) * cols;
        sx[t] = sums + (size_t)(t0 + t) * groups;
    }
}

/**
 * Outputs [r0, r1) of a K x N 4-bit grouped matrix (cols = K inputs, rows = N outputs) for each of n
 * activation rows: y[t * yStride + yOff + j] = sum over i of w[i][j] * x[t * cols + i]. scales and sz
 * are float [K / group][N]. Returns 0, or -1 for bad arguments or no memory (nothing written then).
 */
static inline int axc_cpu_matmul_g4(const void* qweight, const float* scales, const float* sz, int cols, int rows, int group,
                                    const float* x, int n, float* y, int yStride, int yOff, int r0, int r1) {
    if (cols <= 0 || rows <= 0 || group <= 0 || group % 8 != 0 || cols % group != 0 || n <= 0 || r0 < 0 || r1 < r0 || r1 > rows) return -1;
    int groups = cols / group;
    float* sums = axc_thread_floats((size_t)n * groups);
    if (sums == NULL) return -1;
    for (int t = 0; t < n; t++) {
        for (int g = 0; g < groups; g++) {
            float s = 0.0f;
            for (int i = g * group; i < (g + 1) * group; i++) s += x[(size_t)t * cols + i];
            sums[(size_t)t * groups + g] = s;
        }
    }
    const uint32_t* qw = (const uint32_t*)qweight;
    int j = r0;
#ifdef AXC_X86
    if (axc_cpu_level() >= AXC_LEVEL_AVX512) {
        if (n == 1) {
            for (; j + 64 <= r1; j += 64) axc_g4_band64_avx512(qw, scales, sz, cols, rows, group, x, sums, j, y + yOff + j);
        }
        for (; j + 16 <= r1; j += 16) {
            for (int t0 = 0; t0 < n; t0 += 4) {
                int nt = n - t0 < 4 ? n - t0 : 4;
                const float* xt[4];
                const float* sx[4];
                axc_g4_rows(x, sums, cols, groups, t0, nt, xt, sx);
                axc_g4_band16_avx512(qw, scales, sz, cols, rows, group, xt, sx, nt, j, y + (size_t)t0 * yStride + yOff + j, (size_t)yStride);
            }
        }
    } else if (axc_cpu_level() == AXC_LEVEL_AVX2) {
        if (n == 1) {
            const float* xt[1] = {x};
            const float* sx[1] = {sums};
            for (; j + 32 <= r1; j += 32) axc_g4_band_avx2(qw, scales, sz, cols, rows, group, xt, sx, 1, 4, j, y + yOff + j, (size_t)yStride);
        }
        for (; j + 8 <= r1; j += 8) {
            for (int t0 = 0; t0 < n; t0 += 4) {
                int nt = n - t0 < 4 ? n - t0 : 4;
                const float* xt[4];
                const float* sx[4];
                axc_g4_rows(x, sums, cols, groups, t0, nt, xt, sx);
                axc_g4_band_avx2(qw, scales, sz, cols, rows, group, xt, sx, nt, 1, j, y + (size_t)t0 * yStride + yOff + j, (size_t)yStride);
            }
        }
    }
#endif
    for (; j < r1; j++) {
        for (int t = 0; t < n; t++) {
            y[(size_t)t * yStride + yOff + j] = axc_g4_dot_portable(qw, scales, sz, cols, rows, group, x + (size_t)t * cols, sums + (size_t)t * groups, j);
        }
    }
    return 0;
}

#endif
