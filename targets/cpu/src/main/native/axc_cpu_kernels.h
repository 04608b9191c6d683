// Native matrix kernels of the axc cpu target, bound to Java by JavaCPP (axc.target.cpu.NativeKernels).
//
// Why native: the Java Vector API cannot reach the int8 dot-product instructions and spends several
// instructions per lane widening 4-bit and 8-bit codes. Two families live here:
// - float activations (axc_cpu_matmul): each block widened with one instruction (vpmovsxbd /
//   vpmovzxbd / vcvtph2ps) and multiplied in float32 lanes, so products match the quantizer's
//   dequantized reference to float rounding (the Java path computes the same sums);
// - int8 activations (axc_cpu_matmul_int8, axc_cpu_matmul_rows16): activations quantized per
//   32-element block as llama.cpp's CPU backend does, integer dot products with AVX-512 VNNI.
//
// One flat C API, plain integers and addresses: the Java side passes the mapped weights' and its
// off-heap activation buffers' addresses, so no JNI array pinning or copying happens per call.
// The instruction-set level is chosen once from the CPU (AVX-512 VNNI > AVX-512 > AVX2+FMA+F16C >
// portable C) and can be lowered for tests (axc_cpu_set_level), so every path is checked on a
// machine that has all.
//
// The other block types (axc_cpu_blocks.h), axc's 4-bit grouped weights (axc_cpu_int4.h) and the
// quantizer's row kernels (axc_cpu_quant.h) have their own headers, included at the end.
//
// Q8_0 and Q4_0 weights come packed as the cpu target writes them into the artifact
// (axc.target.cpu.PackedRows), in one of two layouts with the bytes of the GGUF rows:
// "cpu-rows-v1", each row's blocks' codes back to back (32 bytes per Q8_0 block, 16 per Q4_0 block in
// llama.cpp's nibble order) then its blocks' f16 scales; and "cpu-rows16-v1", 16 rows interleaved
// per block (described with its kernels below, which run Q5_0 too), read by the int8 kernels only.
//
// Built with the same flags on every machine: each vector path carries its own target attribute, so
// the library loads on any x86-64 and picks at run time; other architectures get the portable path.
#ifndef AXC_CPU_KERNELS_H
#define AXC_CPU_KERNELS_H

#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define AXC_X86 1
#endif

// gcc 12's AVX-512 headers initialise their "undefined" vectors from themselves, which
// -Wmaybe-uninitialized reports at every inlined use; the warning says nothing about this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

// Storage types, numbered as axc.formats.dtype.DType names them in NativeKernels.
enum { AXC_F32 = 0, AXC_F16 = 1, AXC_BF16 = 2, AXC_Q8_0 = 3, AXC_Q4_0 = 4,
       // read as the GGUF stores them, by axc_cpu_blocks.h
       AXC_Q4_1 = 5, AXC_Q5_0 = 6, AXC_Q5_1 = 7, AXC_Q4_K = 8, AXC_Q5_K = 9, AXC_Q6_K = 10,
       // float activations only (no int8 kernel)
       AXC_Q2_K = 11, AXC_Q3_K = 12 };
// Instruction-set levels.
enum { AXC_LEVEL_PORTABLE = 0, AXC_LEVEL_AVX2 = 1, AXC_LEVEL_AVX512 = 2, AXC_LEVEL_AVX512_VNNI = 3 };

static inline float axc_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            int e = -1;
            do { e++; man <<= 1; } while ((man & 0x400) == 0);
            bits = sign | (uint32_t)(127 - 15 - e) << 23 | (man & 0x3FF) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | man << 13;
    } else {
        bits = sign | (exp + 112) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint16_t axc_u16(const uint8_t* p) { return (uint16_t)(p[0] | p[1] << 8); }

// ---------------------------------------------------------------- portable C (the reference path)

static inline float axc_dot_portable(int dtype, const uint8_t* w, const float* x, int cols) {
    float s = 0.0f;
    switch (dtype) {
        case AXC_F32:
            for (int c = 0; c < cols; c++) { float v; memcpy(&v, w + 4 * c, 4); s += v * x[c]; }
            return s;
        case AXC_F16:
            for (int c = 0; c < cols; c++) s += axc_f16_to_f32(axc_u16(w + 2 * c)) * x[c];
            return s;
        case AXC_BF16:
            for (int c = 0; c < cols; c++) { uint32_t b = (uint32_t)axc_u16(w + 2 * c) << 16; float v; memcpy(&v, &b, 4); s += v * x[c]; }
            return s;
        case AXC_Q8_0:
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 32 * b;
                float t = 0.0f;
                for (int j = 0; j < 32; j++) t += (float)(int8_t)blk[j] * x[32 * b + j];
                s += t * axc_f16_to_f32(axc_u16(w + cols + 2 * b));
            }
            return s;
        case AXC_Q4_0:
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 16 * b;
                float t = 0.0f;
                for (int j = 0; j < 16; j++) {
                    t += (float)((blk[j] & 0x0F) - 8) * x[32 * b + j];
                    t += (float)((blk[j] >> 4) - 8) * x[32 * b + 16 + j];
                }
                s += t * axc_f16_to_f32(axc_u16(w + cols / 2 + 2 * b));
            }
            return s;
    }
    return NAN;
}

// Quantized activation rows (the int8 kernels below read them).

static inline long long axc_act_row_bytes(int cols) { int nb = cols / 32; return 36LL * nb + 64LL * (nb / 2); }

/** Q8_0 pairs blocks in natural order; Q4_0 as [a0..15, b0..15, a16..31, b16..31] (its nibble halves). */
static inline int axc_act_pos(int dtype, int i, int nb) {
    if (dtype != AXC_Q4_0) return i;
    int b = i / 32, j = i % 32;
    if ((b & 1) == 0 && b + 1 == nb) return i;   // an unpaired last block keeps its order
    int pair = b & ~1, second = b & 1;
    return 32 * pair + (j < 16 ? 0 : 32) + 16 * second + (j & 15);
}

/** One 32-element block as int8 codes (natural order) and its scale max|x| / 127; returns the codes' sum. */
static inline int axc_quantize_block_portable(const float* x, int8_t* q, float* d) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) { float a = fabsf(x[j]); if (a > amax) amax = a; }
    float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0;
    for (int j = 0; j < 32; j++) {
        int v = (int)lrintf(x[j] * inv);
        v = v > 127 ? 127 : v < -127 ? -127 : v;
        q[j] = (int8_t)v;
        sum += v;
    }
    *d = amax / 127.0f;
    return sum;
}

static inline void axc_quantize_row_portable(int dtype, const float* x, int cols, uint8_t* out) {
    int nb = cols / 32;
    int8_t* q = (int8_t*)out;
    float* d = (float*)(out + 32 * nb);
    int32_t* k = (int32_t*)(out + 36 * nb);
    for (int b = 0; b < nb; b++) {
        int8_t codes[32];
        int sum = axc_quantize_block_portable(x + 32 * b, codes, d + b);
        for (int j = 0; j < 32; j++) q[axc_act_pos(dtype, 32 * b + j, nb)] = codes[j];
        if (b / 2 < nb / 2) {  // Q4_0's lanes of this block in its pair start at -sum (see axc_dot_vnni)
            int base = 16 * (b / 2), second = b & 1;
            for (int l = 0; l < 16; l++) {
                int owner = dtype == AXC_Q8_0 ? l / 8 : (l / 4) & 1;
                if (owner == second) k[base + l] = dtype == AXC_Q4_0 ? -sum : 0;
            }
        }
    }
}

#ifdef AXC_X86
// ---------------------------------------------------------------- AVX2 + FMA + F16C: 8 float lanes

#define AXC_AVX2 __attribute__((target("avx2,fma,f16c")))

AXC_AVX2 static inline float axc_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AXC_AVX2 static inline __m256 axc_i8x8_avx2(const uint8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i*)p)));
}

AXC_AVX2 static float axc_dot_avx2(int dtype, const uint8_t* w, const float* x, int cols) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int c = 0;
    switch (dtype) {
        case AXC_F32:
            for (; c + 16 <= cols; c += 16) {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps((const float*)(w + 4 * c)), _mm256_loadu_ps(x + c), a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps((const float*)(w + 4 * c + 32)), _mm256_loadu_ps(x + c + 8), a1);
            }
            break;
        case AXC_F16:
            for (; c + 16 <= cols; c += 16) {
                a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(w + 2 * c))), _mm256_loadu_ps(x + c), a0);
                a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(w + 2 * c + 16))), _mm256_loadu_ps(x + c + 8), a1);
            }
            break;
        case AXC_BF16:
            for (; c + 16 <= cols; c += 16) {
                __m256i b0 = _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(w + 2 * c))), 16);
                __m256i b1 = _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(w + 2 * c + 16))), 16);
                a0 = _mm256_fmadd_ps(_mm256_castsi256_ps(b0), _mm256_loadu_ps(x + c), a0);
                a1 = _mm256_fmadd_ps(_mm256_castsi256_ps(b1), _mm256_loadu_ps(x + c + 8), a1);
            }
            break;
        case AXC_Q8_0:
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 32 * b;
                const float* xb = x + 32 * b;
                __m256 s = _mm256_mul_ps(axc_i8x8_avx2(blk), _mm256_loadu_ps(xb));
                s = _mm256_fmadd_ps(axc_i8x8_avx2(blk + 8), _mm256_loadu_ps(xb + 8), s);
                s = _mm256_fmadd_ps(axc_i8x8_avx2(blk + 16), _mm256_loadu_ps(xb + 16), s);
                s = _mm256_fmadd_ps(axc_i8x8_avx2(blk + 24), _mm256_loadu_ps(xb + 24), s);
                __m256 d = _mm256_set1_ps(_cvtsh_ss(axc_u16(w + cols + 2 * b)));
                if (b & 1) a1 = _mm256_fmadd_ps(s, d, a1); else a0 = _mm256_fmadd_ps(s, d, a0);
            }
            return axc_hsum256(_mm256_add_ps(a0, a1));
        case AXC_Q4_0: {
            const __m256i low = _mm256_set1_epi32(0x0F), eight = _mm256_set1_epi32(8);
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 16 * b;
                const float* xb = x + 32 * b;
                __m256i q0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)blk));
                __m256i q1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)(blk + 8)));
                __m256 l0 = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_and_si256(q0, low), eight));
                __m256 l1 = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_and_si256(q1, low), eight));
                __m256 h0 = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(q0, 4), eight));
                __m256 h1 = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(q1, 4), eight));
                __m256 s = _mm256_mul_ps(l0, _mm256_loadu_ps(xb));
                s = _mm256_fmadd_ps(l1, _mm256_loadu_ps(xb + 8), s);
                s = _mm256_fmadd_ps(h0, _mm256_loadu_ps(xb + 16), s);
                s = _mm256_fmadd_ps(h1, _mm256_loadu_ps(xb + 24), s);
                __m256 d = _mm256_set1_ps(_cvtsh_ss(axc_u16(w + cols / 2 + 2 * b)));
                if (b & 1) a1 = _mm256_fmadd_ps(s, d, a1); else a0 = _mm256_fmadd_ps(s, d, a0);
            }
            return axc_hsum256(_mm256_add_ps(a0, a1));
        }
        default:
            return NAN;
    }
    float s = axc_hsum256(_mm256_add_ps(a0, a1));
    if (c < cols) {
        int elem = dtype == AXC_F32 ? 4 : 2;
        s += axc_dot_portable(dtype, w + (size_t)elem * c, x + c, cols - c);
    }
    return s;
}

// ---------------------------------------------------------------- AVX-512: 16 float lanes

#define AXC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))

// Sum of the 16 lanes: the 256-bit halves added, then the AVX2 sum (gcc's _mm512_reduce_add_ps trips
// -Wmaybe-uninitialized in its own header).
AXC_AVX512 static inline float axc_hsum512(__m512 v) {
    __m512 s = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));
    return axc_hsum256(_mm512_castps512_ps256(s));
}

AXC_AVX512 static float axc_dot_avx512(int dtype, const uint8_t* w, const float* x, int cols) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int c = 0;
    switch (dtype) {
        case AXC_F32:
            for (; c + 32 <= cols; c += 32) {
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * c), _mm512_loadu_ps(x + c), a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 4 * c + 64), _mm512_loadu_ps(x + c + 16), a1);
            }
            break;
        case AXC_F16:
            for (; c + 32 <= cols; c += 32) {
                a0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(w + 2 * c))), _mm512_loadu_ps(x + c), a0);
                a1 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(w + 2 * c + 32))), _mm512_loadu_ps(x + c + 16), a1);
            }
            break;
        case AXC_BF16:
            for (; c + 32 <= cols; c += 32) {
                __m512i b0 = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(w + 2 * c))), 16);
                __m512i b1 = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(w + 2 * c + 32))), 16);
                a0 = _mm512_fmadd_ps(_mm512_castsi512_ps(b0), _mm512_loadu_ps(x + c), a0);
                a1 = _mm512_fmadd_ps(_mm512_castsi512_ps(b1), _mm512_loadu_ps(x + c + 16), a1);
            }
            break;
        case AXC_Q8_0:
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 32 * b;
                const float* xb = x + 32 * b;
                __m512 q0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)blk)));
                __m512 q1 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(blk + 16))));
                __m512 s = _mm512_fmadd_ps(q1, _mm512_loadu_ps(xb + 16), _mm512_mul_ps(q0, _mm512_loadu_ps(xb)));
                __m512 d = _mm512_set1_ps(_cvtsh_ss(axc_u16(w + cols + 2 * b)));
                if (b & 1) a1 = _mm512_fmadd_ps(s, d, a1); else a0 = _mm512_fmadd_ps(s, d, a0);
            }
            return axc_hsum512(_mm512_add_ps(a0, a1));
        case AXC_Q4_0: {
            const __m512i low = _mm512_set1_epi32(0x0F), eight = _mm512_set1_epi32(8);
            for (int b = 0; b < cols / 32; b++) {
                const uint8_t* blk = w + 16 * b;
                const float* xb = x + 32 * b;
                __m512i q = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*)blk));
                __m512 lo = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_and_si512(q, low), eight));
                __m512 hi = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(q, 4), eight));
                __m512 s = _mm512_fmadd_ps(hi, _mm512_loadu_ps(xb + 16), _mm512_mul_ps(lo, _mm512_loadu_ps(xb)));
                __m512 d = _mm512_set1_ps(_cvtsh_ss(axc_u16(w + cols / 2 + 2 * b)));
                if (b & 1) a1 = _mm512_fmadd_ps(s, d, a1); else a0 = _mm512_fmadd_ps(s, d, a0);
            }
            return axc_hsum512(_mm512_add_ps(a0, a1));
        }
        default:
            return NAN;
    }
    float s = axc_hsum512(_mm512_add_ps(a0, a1));
    if (c < cols) {
        int elem = dtype == AXC_F32 ? 4 : 2;
        s += axc_dot_portable(dtype, w + (size_t)elem * c, x + c, cols - c);
    }
    return s;
}

/**
 * axc_quantize_row_portable in AVX-512: the same roundings (vcvtps2dq rounds to nearest even, as
 * lrintf does in the default mode), so both give identical bytes.
 */
AXC_AVX512 static void axc_quantize_row_avx512(int dtype, const float* x, int cols, uint8_t* out) {
    int nb = cols / 32;
    int8_t* q = (int8_t*)out;
    float* d = (float*)(out + 32 * nb);
    int32_t* k = (int32_t*)(out + 36 * nb);
    for (int b = 0; b < nb; b++) {
        __m512 x0 = _mm512_loadu_ps(x + 32 * b), x1 = _mm512_loadu_ps(x + 32 * b + 16);
        __m512 m = _mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1));
        __m256 m8 = _mm256_max_ps(_mm512_castps512_ps256(m), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(m), 1)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m8), _mm256_extractf128_ps(m8, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float amax = _mm_cvtss_f32(m4);
        __m512 inv = _mm512_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
        __m512i i0 = _mm512_cvtps_epi32(_mm512_mul_ps(x0, inv)), i1 = _mm512_cvtps_epi32(_mm512_mul_ps(x1, inv));
        const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
        i0 = _mm512_min_epi32(_mm512_max_epi32(i0, lo), hi);
        i1 = _mm512_min_epi32(_mm512_max_epi32(i1, lo), hi);
        int sum = _mm512_reduce_add_epi32(_mm512_add_epi32(i0, i1));
        __m128i b0 = _mm512_cvtepi32_epi8(i0), b1 = _mm512_cvtepi32_epi8(i1);
        int first = 32 * b, second = 32 * b + 16;
        if (dtype == AXC_Q4_0 && !((b & 1) == 0 && b + 1 == nb)) {
            int pair = b & ~1, which = b & 1;
            first = 32 * pair + 16 * which;
            second = 32 * pair + 32 + 16 * which;
        }
        _mm_storeu_si128((__m128i*)(q + first), b0);
        _mm_storeu_si128((__m128i*)(q + second), b1);
        d[b] = amax / 127.0f;
        if (b / 2 < nb / 2) {
            int base = 16 * (b / 2), which = b & 1;
            for (int l = 0; l < 16; l++) {
                int owner = dtype == AXC_Q8_0 ? l / 8 : (l / 4) & 1;
                if (owner == which) k[base + l] = dtype == AXC_Q4_0 ? -sum : 0;
            }
        }
    }
}

// ---------------------------------------------------------------- AVX-512 VNNI: int8 activations
//
// llama.cpp's way for Q8_0 and Q4_0: the activations are quantized per 32-element block to int8 with
// a float scale (round to nearest, scale = max|x| / 127), and each pair of weight blocks is one
// vpdpbusd (64 byte products summed into 16 int32 lanes), scaled per block in float. Much less work
// per weight byte than widening to float, at the cost of the activations' rounding (relative error
// about 0.4% per element), which the float kernels do not have.
//
// Activation rows, as axc_cpu_quantize_rows writes them for a weight type (nb = cols / 32 blocks):
// int8 q[32 * nb] in the order the weight kernel pairs blocks, then float d[nb], then float c[nb]
// (Q4_0's -8 * d * sum(q) per block, which makes the unsigned 4-bit codes signed: (n - 8) . x =
// n . x - 8 sum(x)).

#define AXC_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))

// Lanes of a pair's 16 int32 sums, by block (0 = first block of the pair, 1 = second): Q8_0 pairs
// are 64 codes in order, Q4_0 pairs are low nibbles then high nibbles of both blocks.
AXC_VNNI static inline __m512i axc_pair_lanes(int dtype) {
    return dtype == AXC_Q8_0 ? _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)
                             : _mm512_set_epi32(1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0);
}

// The integer dot product of an unpaired last block (codes in natural order on both sides). In
// intrinsics on purpose: gcc 12 auto-vectorizes a plain signed-byte dot product loop in a
// VNNI-enabled function into vpdpbusd, which treats one side as unsigned (wrong results).
AXC_VNNI static inline int axc_tail_dot(int dtype, const uint8_t* w, const int8_t* q, int b) {
    __m512i w16;
    if (dtype == AXC_Q8_0) {
        w16 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*)(w + 32 * b)));
    } else {
        __m128i v = _mm_loadu_si128((const __m128i*)(w + 16 * b));
        __m128i lo = _mm_and_si128(v, _mm_set1_epi8(0x0F)), hi = _mm_and_si128(_mm_srli_epi16(v, 4), _mm_set1_epi8(0x0F));
        w16 = _mm512_sub_epi16(_mm512_cvtepu8_epi16(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1)), _mm512_set1_epi16(8));
    }
    __m512i x16 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*)(q + 32 * b)));
    return _mm512_reduce_add_epi32(_mm512_madd_epi16(w16, x16));
}

/**
 * One packed Q8_0 or Q4_0 row times one quantized activation row. Scales go 16 blocks at a time:
 * weight f16 scales (contiguous in the packed row) times activation scales, one vector; each pair of
 * blocks then takes its two scales from it with one permute.
 */
AXC_VNNI static float axc_dot_vnni(int dtype, const uint8_t* w, const uint8_t* act, int cols) {
    int nb = cols / 32;
    int qsb = dtype == AXC_Q8_0 ? 32 : 16;
    const uint16_t* dw = (const uint16_t*)(w + (size_t)qsb * nb);
    const int8_t* q = (const int8_t*)act;
    const float* dx = (const float*)(act + 32 * nb);
    const int32_t* k = (const int32_t*)(act + 36 * nb);
    const __m512i zero = _mm512_setzero_si512();
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m512i lanes = axc_pair_lanes(dtype);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int pairs = nb / 2;
    for (int g = 0; g < 2 * pairs; g += 16) {
        int m = 2 * pairs - g < 16 ? 2 * pairs - g : 16;
        __mmask16 mask = (__mmask16)((1u << m) - 1);
        __m512 sc = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, dw + g)), _mm512_maskz_loadu_ps(mask, dx + g));
        for (int p = 0; p < m / 2; p++) {
            int b = g + 2 * p;
            __m512i dot;
            if (dtype == AXC_Q8_0) {
                __m512i wv = _mm512_loadu_si512(w + 32 * b);
                __m512i xv = _mm512_loadu_si512(q + 32 * b);
                // vpdpbusd multiplies unsigned by signed bytes: |w| times x with w's sign.
                __m512i xs = _mm512_mask_sub_epi8(xv, _mm512_movepi8_mask(wv), zero, xv);
                dot = _mm512_dpbusd_epi32(zero, _mm512_abs_epi8(wv), xs);
            } else {
                __m256i v = _mm256_loadu_si256((const __m256i*)(w + 16 * b));
                __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(v, low)),
                                                _mm256_and_si256(_mm256_srli_epi16(v, 4), low), 1);
                // The accumulator starts at -sum(x) per lane: 8 lanes per block make the -8 sum(x)
                // that turns the unsigned codes n into n - 8.
                dot = _mm512_dpbusd_epi32(_mm512_loadu_si512(k + 16 * (b / 2)), wv, _mm512_loadu_si512(q + 32 * b));
            }
            __m512 s = _mm512_permutexvar_ps(_mm512_add_epi32(lanes, _mm512_set1_epi32(2 * p)), sc);
            if (p & 1) acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), s, acc1);
            else acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), s, acc0);
        }
    }
    float total = axc_hsum512(_mm512_add_ps(acc0, acc1));
    if (nb & 1) total += (float)axc_tail_dot(dtype, w, q, nb - 1) * _cvtsh_ss(dw[nb - 1]) * dx[nb - 1];
    return total;
}


/**
 * One packed row times four quantized activation rows (prefill): the row's codes are loaded and
 * widened once for all four, its scales converted once per group of 16 blocks.
 */
AXC_VNNI static void axc_dot_vnni4(int dtype, const uint8_t* w, const uint8_t* act, long long arb, int cols, float* out, size_t outStride) {
    int nb = cols / 32;
    int qsb = dtype == AXC_Q8_0 ? 32 : 16;
    const uint16_t* dw = (const uint16_t*)(w + (size_t)qsb * nb);
    const int8_t* q[4];
    const float* dx[4];
    const int32_t* k[4];
    for (int i = 0; i < 4; i++) {
        q[i] = (const int8_t*)(act + arb * i);
        dx[i] = (const float*)(act + arb * i + 32 * nb);
        k[i] = (const int32_t*)(act + arb * i + 36 * nb);
    }
    const __m512i zero = _mm512_setzero_si512();
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m512i lanes = axc_pair_lanes(dtype);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    int pairs = nb / 2;
    for (int g = 0; g < 2 * pairs; g += 16) {
        int m = 2 * pairs - g < 16 ? 2 * pairs - g : 16;
        __mmask16 mask = (__mmask16)((1u << m) - 1);
        __m512 swv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask, dw + g));
        __m512 sc[4];
        for (int i = 0; i < 4; i++) sc[i] = _mm512_mul_ps(swv, _mm512_maskz_loadu_ps(mask, dx[i] + g));
        for (int p = 0; p < m / 2; p++) {
            int b = g + 2 * p;
            __m512i idx = _mm512_add_epi32(lanes, _mm512_set1_epi32(2 * p));
            if (dtype == AXC_Q8_0) {
                __m512i wv = _mm512_loadu_si512(w + 32 * b);
                __m512i wa = _mm512_abs_epi8(wv);
                __mmask64 neg = _mm512_movepi8_mask(wv);
                for (int i = 0; i < 4; i++) {
                    __m512i xv = _mm512_loadu_si512(q[i] + 32 * b);
                    __m512i dot = _mm512_dpbusd_epi32(zero, wa, _mm512_mask_sub_epi8(xv, neg, zero, xv));
                    acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_permutexvar_ps(idx, sc[i]), acc[i]);
                }
            } else {
                __m256i v = _mm256_loadu_si256((const __m256i*)(w + 16 * b));
                __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(v, low)),
                                                _mm256_and_si256(_mm256_srli_epi16(v, 4), low), 1);
                for (int i = 0; i < 4; i++) {
                    __m512i dot = _mm512_dpbusd_epi32(_mm512_loadu_si512(k[i] + 16 * (b / 2)), wv, _mm512_loadu_si512(q[i] + 32 * b));
                    acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_permutexvar_ps(idx, sc[i]), acc[i]);
                }
            }
        }
    }
    for (int i = 0; i < 4; i++) {
        float total = axc_hsum512(acc[i]);
        if (nb & 1) total += (float)axc_tail_dot(dtype, w, q[i], nb - 1) * _cvtsh_ss(dw[nb - 1]) * dx[i][nb - 1];
        out[outStride * i] = total;
    }
}

static inline int axc_detect_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
        return __builtin_cpu_supports("avx512vnni") ? AXC_LEVEL_AVX512_VNNI : AXC_LEVEL_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return AXC_LEVEL_AVX2;
    return AXC_LEVEL_PORTABLE;
}
#else
static inline int axc_detect_level(void) { return AXC_LEVEL_PORTABLE; }
#endif

static int axc_level_detected = -1;
static int axc_level = -1;

/** The best level this CPU runs. */
static inline int axc_cpu_detected_level(void) {
    if (axc_level_detected < 0) axc_level_detected = axc_detect_level();
    return axc_level_detected;
}

/** The level in use: the detected one unless lowered. */
static inline int axc_cpu_level(void) {
    if (axc_level < 0) axc_level = axc_cpu_detected_level();
    return axc_level;
}

/** Uses {@code level} or the best below it this CPU runs; returns the level now in use. */
static inline int axc_cpu_set_level(int level) {
    int best = axc_cpu_detected_level();
    axc_level = level < 0 ? 0 : level > best ? best : level;
    return axc_level;
}

/**
 * Output rows [r0, r1) for each of n activation rows: y[t * yStride + yOff + r] = W[r] . x[t * cols ..].
 * W rows are rowBytes apart in its storage type; quantized types need cols % 32 == 0. Returns 0, or
 * -1 for an unknown storage type or bad arguments (nothing written then).
 */
static inline int axc_cpu_matmul(int dtype, const void* w, long long rowBytes, int cols, const float* x, int n,
                                 float* y, int yStride, int yOff, int r0, int r1) {
    if (dtype < AXC_F32 || dtype > AXC_Q4_0 || cols <= 0 || n <= 0 || r0 < 0 || r1 < r0) return -1;
    if ((dtype == AXC_Q8_0 || dtype == AXC_Q4_0) && cols % 32 != 0) return -1;
    const uint8_t* wb = (const uint8_t*)w;
    int level = axc_cpu_level();
    for (int r = r0; r < r1; r++) {
        const uint8_t* row = wb + (size_t)rowBytes * r;
        for (int t = 0; t < n; t++) {
            const float* xt = x + (size_t)t * cols;
            float v;
#ifdef AXC_X86
            if (level >= AXC_LEVEL_AVX512) v = axc_dot_avx512(dtype, row, xt, cols);
            else if (level == AXC_LEVEL_AVX2) v = axc_dot_avx2(dtype, row, xt, cols);
            else
#endif
                v = axc_dot_portable(dtype, row, xt, cols);
            y[(size_t)t * yStride + yOff + r] = v;
        }
    }
    return 0;
}

/** Whether this CPU (at the level in use) runs the int8-activation kernels for {@code dtype}. */
static inline int axc_cpu_int8_supported(int dtype) {
    return dtype >= AXC_Q8_0 && dtype <= AXC_Q6_K && axc_cpu_level() >= AXC_LEVEL_AVX512_VNNI;
}

/** Bytes of one quantized activation row of {@code cols} floats. */
static inline long long axc_cpu_act_row_bytes(int cols) { return axc_act_row_bytes(cols); }

/**
 * Quantizes n activation rows of cols floats for products with {@code dtype} weights; row t goes to
 * out + t * axc_cpu_act_row_bytes(cols). Returns 0, or -1 when cols is not whole blocks.
 */
static inline int axc_cpu_quantize_rows(int dtype, const float* x, int n, int cols, void* out) {
    if (cols <= 0 || cols % 32 != 0 || n <= 0) return -1;
    long long rb = axc_act_row_bytes(cols);
    for (int t = 0; t < n; t++) {
#ifdef AXC_X86
        if (axc_cpu_level() >= AXC_LEVEL_AVX512) { axc_quantize_row_avx512(dtype, x + (size_t)t * cols, cols, (uint8_t*)out + rb * t); continue; }
#endif
        axc_quantize_row_portable(dtype, x + (size_t)t * cols, cols, (uint8_t*)out + rb * t);
    }
    return 0;
}

/**
 * Like axc_cpu_matmul with activations from axc_cpu_quantize_rows (same dtype): rows [r0, r1) of Q8_0
 * or Q4_0 weights. Returns 0, or -1 when this CPU has no int8 kernel for dtype or arguments are bad.
 */
static inline int axc_cpu_matmul_int8(int dtype, const void* w, long long rowBytes, int cols, const void* act, int n,
                                      float* y, int yStride, int yOff, int r0, int r1) {
    if ((dtype != AXC_Q8_0 && dtype != AXC_Q4_0) || !axc_cpu_int8_supported(dtype) || cols <= 0 || cols % 32 != 0 || n <= 0 || r0 < 0 || r1 < r0) return -1;
#ifdef AXC_X86
    const uint8_t* wb = (const uint8_t*)w;
    long long arb = axc_act_row_bytes(cols);
    for (int r = r0; r < r1; r++) {
        const uint8_t* row = wb + (size_t)rowBytes * r;
        int t = 0;
        for (; t + 4 <= n; t += 4) axc_dot_vnni4(dtype, row, (const uint8_t*)act + arb * t, arb, cols, y + (size_t)t * yStride + yOff + r, (size_t)yStride);
        for (; t < n; t++) y[(size_t)t * yStride + yOff + r] = axc_dot_vnni(dtype, row, (const uint8_t*)act + arb * t, cols);
    }
    return 0;
#else
    return -1;
#endif
}


// ---------------------------------------------------------------- 16-row interleaved int8 kernels
//
// The "cpu-rows16-v1" layout (axc.target.cpu.PackedRows): rows go in groups of 16; for each block of
// 32 columns a group holds its 16 rows' codes interleaved 4 bytes at a time (64-byte chunk k holds
// bytes 4k..4k+3 of every row's block codes, row 0 first), then the 16 rows' f16 scales. Q8_0 codes
// are stored plus 128 (unsigned), Q4_0 and Q5_0 codes as llama.cpp's nibble bytes; Q5_0's fifth bits
// follow the codes as one 64-bit byte mask per chunk and nibble half (low, then high), and add 16 to
// the bytes they mark (one masked add per chunk half). One vpdpbusd then adds
// four products to each of the 16 rows' sums, the activation's 4 bytes broadcast to every lane, and
// a block ends with its 16 rows' sums side by side in one register: one convert and one multiply by
// the 16 rows' scales finish it. Unsigned codes are made signed by subtracting 128 * sum(x) (Q8_0),
// 8 * sum(x) (Q4_0) or 16 * sum(x) (Q5_0) per block, one broadcast per block and activation row.
//
// Activations for these kernels (axc_cpu_quantize_rows_natural): int8 q[32 * nb] in natural order,
// float d[nb], int32 s[nb] (sum of the block's codes).

static inline long long axc_act16_row_bytes(int cols) { return 40LL * (cols / 32); }

/** The codes, scales and code sums of nt activation rows (at act, arb bytes apart) of nb blocks each. */
static inline void axc_act16_rows(const uint8_t* act, long long arb, int nt, int nb, const int8_t** q, const float** dx, const int32_t** sx) {
    for (int t = 0; t < nt; t++) {
        q[t] = (const int8_t*)(act + arb * t);
        dx[t] = (const float*)(act + arb * t + 32 * nb);
        sx[t] = (const int32_t*)(act + arb * t + 36 * nb);
    }
}

static inline void axc_quantize_natural_portable(const float* x, int cols, uint8_t* out) {
    int nb = cols / 32;
    int8_t* q = (int8_t*)out;
    float* d = (float*)(out + 32 * nb);
    int32_t* s = (int32_t*)(out + 36 * nb);
    for (int b = 0; b < nb; b++) s[b] = axc_quantize_block_portable(x + 32 * b, q + 32 * b, d + b);
}

#ifdef AXC_X86
/** axc_quantize_natural_portable in AVX-512, byte for byte the same. */
AXC_AVX512 static void axc_quantize_natural_avx512(const float* x, int cols, uint8_t* out) {
    int nb = cols / 32;
    int8_t* q = (int8_t*)out;
    float* d = (float*)(out + 32 * nb);
    int32_t* s = (int32_t*)(out + 36 * nb);
    const __m512i lo = _mm512_set1_epi32(-127), hi = _mm512_set1_epi32(127);
    for (int b = 0; b < nb; b++) {
        __m512 x0 = _mm512_loadu_ps(x + 32 * b), x1 = _mm512_loadu_ps(x + 32 * b + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
        __m512 inv = _mm512_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
        __m512i i0 = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x0, inv)), lo), hi);
        __m512i i1 = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x1, inv)), lo), hi);
        _mm_storeu_si128((__m128i*)(q + 32 * b), _mm512_cvtepi32_epi8(i0));
        _mm_storeu_si128((__m128i*)(q + 32 * b + 16), _mm512_cvtepi32_epi8(i1));
        d[b] = amax / 127.0f;
        s[b] = _mm512_reduce_add_epi32(_mm512_add_epi32(i0, i1));
    }
}

/**
 * One 16-row group (at w) times up to four activation rows (at act, arb bytes apart): y[t * yStride + i]
 * gets row i's product with activation t.
 */
AXC_VNNI static void axc_group16_vnni(int dtype, const uint8_t* w, int cols, const uint8_t* act, long long arb, int nt,
                                      float* y, size_t yStride) {
    int nb = cols / 32;
    int codes = dtype == AXC_Q8_0 ? 512 : 256;
    int masks = dtype == AXC_Q5_0 ? 64 : 0;
    int offset = dtype == AXC_Q8_0 ? 128 : dtype == AXC_Q5_0 ? 16 : 8;
    const int8_t* q[4];
    const float* dx[4];
    const int32_t* sx[4];
    axc_act16_rows(act, arb, nt, nb, q, dx, sx);
    const __m512i low = _mm512_set1_epi8(0x0F);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    for (int b = 0; b < nb; b++) {
        const uint8_t* blk = w + (size_t)(codes + masks + 32) * b;
        __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(blk + codes + masks)));
        __m512i sum[4];
        for (int t = 0; t < nt; t++) sum[t] = _mm512_set1_epi32(-offset * sx[t][b]);
        if (dtype == AXC_Q8_0) {
            for (int k = 0; k < 8; k++) {
                __m512i wv = _mm512_loadu_si512(blk + 64 * k);
                for (int t = 0; t < nt; t++) {
                    int32_t xk;
                    memcpy(&xk, q[t] + 32 * b + 4 * k, 4);
                    sum[t] = _mm512_dpbusd_epi32(sum[t], wv, _mm512_set1_epi32(xk));
                }
            }
        } else {
            for (int k = 0; k < 4; k++) {
                __m512i v = _mm512_loadu_si512(blk + 64 * k);
                __m512i wl = _mm512_and_si512(v, low), wh = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
                if (masks) {
                    const __m512i sixteen = _mm512_set1_epi8(16);
                    uint64_t ml, mh;
                    memcpy(&ml, blk + codes + 16 * k, 8);
                    memcpy(&mh, blk + codes + 16 * k + 8, 8);
                    wl = _mm512_mask_add_epi8(wl, (__mmask64)ml, wl, sixteen);
                    wh = _mm512_mask_add_epi8(wh, (__mmask64)mh, wh, sixteen);
                }
                for (int t = 0; t < nt; t++) {
                    int32_t xl, xh;
                    memcpy(&xl, q[t] + 32 * b + 4 * k, 4);
                    memcpy(&xh, q[t] + 32 * b + 16 + 4 * k, 4);
                    sum[t] = _mm512_dpbusd_epi32(sum[t], wl, _mm512_set1_epi32(xl));
                    sum[t] = _mm512_dpbusd_epi32(sum[t], wh, _mm512_set1_epi32(xh));
                }
            }
        }
        for (int t = 0; t < nt; t++) acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[t]), _mm512_mul_ps(dw, _mm512_set1_ps(dx[t][b])), acc[t]);
    }
    for (int t = 0; t < nt; t++) _mm512_storeu_ps(y + yStride * t, acc[t]);
}
#endif

/** Bytes of one activation row for the 16-row kernels. */
static inline long long axc_cpu_act16_row_bytes(int cols) { return axc_act16_row_bytes(cols); }

/** Quantizes n activation rows for the 16-row kernels; row t at out + t * axc_cpu_act16_row_bytes(cols). */
static inline int axc_cpu_quantize_rows16(const float* x, int n, int cols, void* out) {
    if (cols <= 0 || cols % 32 != 0 || n <= 0) return -1;
    long long rb = axc_act16_row_bytes(cols);
    for (int t = 0; t < n; t++) {
#ifdef AXC_X86
        if (axc_cpu_level() >= AXC_LEVEL_AVX512) { axc_quantize_natural_avx512(x + (size_t)t * cols, cols, (uint8_t*)out + rb * t); continue; }
#endif
        axc_quantize_natural_portable(x + (size_t)t * cols, cols, (uint8_t*)out + rb * t);
    }
    return 0;
}

#ifdef AXC_X86
// Q4_K's group kernel lives with the other block types (axc_cpu_blocks.h).
AXC_VNNI static void axc_group16_q4k_vnni(const uint8_t* w, int cols, const uint8_t* act, long long arb, int nt, float* y, size_t yStride);
#endif

/**
 * Rows [r0, r1) (multiples of 16) of Q8_0 / Q4_0 / Q5_0 / Q4_K weights in the 16-row layout, times n activation
 * rows from axc_cpu_quantize_rows16: y[t * yStride + yOff + r]. Returns 0, or -1 when this CPU has no
 * VNNI or the arguments are bad.
 */
static inline int axc_cpu_matmul_rows16(int dtype, const void* w, long long rowBytes, int cols, const void* act, int n,
                                        float* y, int yStride, int yOff, int r0, int r1) {
    if ((dtype != AXC_Q8_0 && dtype != AXC_Q4_0 && dtype != AXC_Q5_0 && dtype != AXC_Q4_K) || !axc_cpu_int8_supported(dtype) || cols <= 0
        || cols % (dtype == AXC_Q4_K ? 256 : 32) != 0 || n <= 0 || r0 < 0 || r1 < r0 || r0 % 16 != 0 || r1 % 16 != 0) return -1;
#ifdef AXC_X86
    long long arb = axc_act16_row_bytes(cols);
    for (int r = r0; r < r1; r += 16) {
        const uint8_t* g = (const uint8_t*)w + (size_t)rowBytes * r;
        for (int t = 0; t < n; t += 4) {
            int nt = n - t < 4 ? n - t : 4;
            if (dtype == AXC_Q4_K) axc_group16_q4k_vnni(g, cols, (const uint8_t*)act + arb * t, arb, nt, y + (size_t)t * yStride + yOff + r, (size_t)yStride);
            else axc_group16_vnni(dtype, g, cols, (const uint8_t*)act + arb * t, arb, nt, y + (size_t)t * yStride + yOff + r, (size_t)yStride);
        }
    }
    return 0;
#else
    return -1;
#endif
}


// ---------------------------------------------------------------- int8 rows with one scale per row
//
// The "int8" (W8A16) and "w8a8" schemes: int8 codes row after row, one float scale per row.
// axc_cpu_dot_i8f: each row's codes dotted with float activations (float32 lanes), times its scale.
// axc_cpu_dot_i8i8: each row's codes dotted with int8 activations (one dynamic scale per activation
// row, quantized by the caller exactly as the reference quantizes them) in exact integer arithmetic,
// then dot * sx * scale in double, rounded once to float: the reference's result bit for bit.

static inline float axc_dot_i8f_portable(const int8_t* w, const float* x, int cols) {
    float s = 0.0f;
    for (int c = 0; c < cols; c++) s += (float)w[c] * x[c];
    return s;
}

static inline int64_t axc_dot_i8i8_portable(const int8_t* w, const int8_t* x, int cols) {
    int64_t s = 0;
    for (int c = 0; c < cols; c++) s += (int)w[c] * (int)x[c];
    return s;
}

#ifdef AXC_X86
AXC_AVX512 static float axc_dot_i8f_avx512(const int8_t* w, const float* x, int cols) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int c = 0;
    for (; c + 32 <= cols; c += 32) {
        a0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(w + c)))), _mm512_loadu_ps(x + c), a0);
        a1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i*)(w + c + 16)))), _mm512_loadu_ps(x + c + 16), a1);
    }
    return axc_hsum512(_mm512_add_ps(a0, a1)) + axc_dot_i8f_portable(w + c, x + c, cols - c);
}

AXC_VNNI static int64_t axc_dot_i8i8_vnni(const int8_t* w, const int8_t* x, int cols) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i a0 = zero, a1 = zero;
    int c = 0;
    for (; c + 128 <= cols; c += 128) {
        __m512i w0 = _mm512_loadu_si512(w + c), w1 = _mm512_loadu_si512(w + c + 64);
        __m512i x0 = _mm512_loadu_si512(x + c), x1 = _mm512_loadu_si512(x + c + 64);
        // vpdpbusd multiplies unsigned by signed bytes: |w| times x with w's sign (w = -128 gives 128).
        a0 = _mm512_dpbusd_epi32(a0, _mm512_abs_epi8(w0), _mm512_mask_sub_epi8(x0, _mm512_movepi8_mask(w0), zero, x0));
        a1 = _mm512_dpbusd_epi32(a1, _mm512_abs_epi8(w1), _mm512_mask_sub_epi8(x1, _mm512_movepi8_mask(w1), zero, x1));
    }
    for (; c + 64 <= cols; c += 64) {
        __m512i w0 = _mm512_loadu_si512(w + c), x0 = _mm512_loadu_si512(x + c);
        a0 = _mm512_dpbusd_epi32(a0, _mm512_abs_epi8(w0), _mm512_mask_sub_epi8(x0, _mm512_movepi8_mask(w0), zero, x0));
    }
    if (c < cols) {
        // The last codes through masked loads, not a scalar loop (see axc_tail_dot: gcc turns such a
        // loop into a wrong vpdpbusd here).
        __mmask64 m = (__mmask64)((1ULL << (cols - c)) - 1);
        __m512i w0 = _mm512_maskz_loadu_epi8(m, w + c), x0 = _mm512_maskz_loadu_epi8(m, x + c);
        a0 = _mm512_dpbusd_epi32(a0, _mm512_abs_epi8(w0), _mm512_mask_sub_epi8(x0, _mm512_movepi8_mask(w0), zero, x0));
    }
    // Each lane gains at most 4 * 128 * 127 per 64 codes, so int32 lanes hold rows of over 260k codes.
    __m512i a = _mm512_add_epi32(a0, a1);
    return _mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(a)),
                                                    _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(a, 1))));
}
#endif

/**
 * Rows [r0, r1) of an int8 matrix (cols codes per row, one float scale per row) times n float
 * activation rows: y[t * yStride + yOff + r] = scale[r] * (W[r] . x[t]). Returns 0 or -1.
 */
static inline int axc_cpu_matmul_i8f(const void* w, const float* scales, int cols, const float* x, int n,
                                     float* y, int yStride, int yOff, int r0, int r1) {
    if (cols <= 0 || n <= 0 || r0 < 0 || r1 < r0) return -1;
    int level = axc_cpu_level();
    for (int r = r0; r < r1; r++) {
        const int8_t* row = (const int8_t*)w + (size_t)cols * r;
        for (int t = 0; t < n; t++) {
            const float* xt = x + (size_t)t * cols;
            float v;
#ifdef AXC_X86
            if (level >= AXC_LEVEL_AVX512) v = axc_dot_i8f_avx512(row, xt, cols);
            else
#endif
                v = axc_dot_i8f_portable(row, xt, cols);
            y[(size_t)t * yStride + yOff + r] = scales[r] * v;
        }
    }
    return 0;
}

/**
 * Rows [r0, r1) of an int8 matrix times n int8 activation rows (cols codes each, row t with scale
 * sx[t]): y[t * yStride + yOff + r] = (float) (dot * (double) sx[t] * scale[r]). Returns 0 or -1.
 */
static inline int axc_cpu_matmul_i8i8(const void* w, const float* scales, int cols, const void* xq, const float* sx, int n,
                                      float* y, int yStride, int yOff, int r0, int r1) {
    if (cols <= 0 || n <= 0 || r0 < 0 || r1 < r0) return -1;
    int level = axc_cpu_level();
    for (int r = r0; r < r1; r++) {
        const int8_t* row = (const int8_t*)w + (size_t)cols * r;
        for (int t = 0; t < n; t++) {
            const int8_t* xt = (const int8_t*)xq + (size_t)t * cols;
            int64_t dot;
#ifdef AXC_X86
            if (level >= AXC_LEVEL_AVX512_VNNI) dot = axc_dot_i8i8_vnni(row, xt, cols);
            else
#endif
                dot = axc_dot_i8i8_portable(row, xt, cols);
            y[(size_t)t * yStride + yOff + r] = (float)((double)dot * (double)sx[t] * (double)scales[r]);
        }
    }
    return 0;
}

/**
 * A per-thread scratch buffer of at least {@code floats} floats, 64-byte aligned, grown as needed and
 * kept: kernels that need one (a decoded row, per-group sums) allocate nothing once warm. One call
 * uses it at a time; nothing survives between calls.
 */
static inline float* axc_thread_floats(size_t floats) {
    static thread_local float* buf = NULL;
    static thread_local size_t cap = 0;
    if (floats > cap) {
        free(buf);
        buf = (float*)aligned_alloc(64, (floats * 4 + 63) / 64 * 64);
        cap = buf == NULL ? 0 : floats;
    }
    return buf;
}

#include "axc_cpu_blocks.h"
#include "axc_cpu_int4.h"
#include "axc_cpu_quant.h"

#pragma GCC diagnostic pop
#endif
