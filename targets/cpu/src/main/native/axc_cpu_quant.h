// Round-to-nearest quantization of F32/F16/BF16 rows to llama.cpp's Q8_0, Q4_0 and Q5_0 here, and to
// Q4_K, Q5_K and Q6_K in axc_cpu_kquant.h, for `axc quantize` (bound by axc.target.cpu.NativeRowQuantizer).
//
// Why native: quantizing is a one-shot command. Its Vector API kernels ran interpreted or half
// compiled for the first second of a 0.5B model's pass (1.5 s cold against 0.6 s in a warm JVM);
// these run compiled from the first row. Only the AVX-512 path exists: below it the Java kernels run.
//
// Bytes are those of llama.cpp's quantize_row_q8_0_ref / q4_0_ref / q5_0_ref, as
// axc.formats.quant.Q8_0 / Q4_0 / Q5_0 produce them: each step is the same float32 operation in the same
// order (no fused multiply-add where the reference multiplies then adds: fp-contract is off here),
// C's roundf done as trunc(|x| + 0.5f) with |x| < 0.5 sent to 0, the scale rounded to f16 to nearest
// even. The per-row errors (squared error of the dequantized codes, squared norm of the input) are
// accumulated in 16 float lanes exactly as axc.formats.quant.VectorBlocks does at 512 bits, then
// summed in double, so a report reads the same with or without this library.
#ifndef AXC_CPU_QUANT_H
#define AXC_CPU_QUANT_H

#ifdef AXC_X86

#define AXC_QUANT512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c"), optimize("fp-contract=off")))

/** One source row as floats: F32 read in place, F16 and BF16 widened into buf (exactly). */
AXC_QUANT512 static const float* axc_quant_source_row(int st, const uint8_t* src, int cols, float* buf) {
    switch (st) {
        case AXC_F32:
            return (const float*)src;
        case AXC_F16:
            for (int c = 0; c < cols; c += 16) _mm512_storeu_ps(buf + c, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(src + 2 * c))));
            return buf;
        case AXC_BF16:
            for (int c = 0; c < cols; c += 16) {
                __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)(src + 2 * c)));
                _mm512_storeu_ps(buf + c, _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)));
            }
            return buf;
    }
    return NULL;
}

/**
 * Float to int32 truncating, as Java's (int) cast does: NaN gives 0 and overflow saturates (vcvttps2dq
 * gives INT_MIN for both). Only blocks whose scale's inverse overflows float (|max| below about
 * 4e-37) reach these lanes; their codes then match the Java kernels' (the stored f16 scale is 0, so
 * the values read back are 0 either way, and C leaves the conversion undefined).
 */
AXC_QUANT512 static inline __m512i axc_cvtt_java16(__m512 r) {
    __m512i i = _mm512_cvttps_epi32(r);
    i = _mm512_mask_mov_epi32(i, _mm512_cmp_ps_mask(r, _mm512_set1_ps(2147483648.0f), _CMP_GE_OQ), _mm512_set1_epi32(0x7FFFFFFF));
    return _mm512_mask_mov_epi32(i, _mm512_cmp_ps_mask(r, r, _CMP_UNORD_Q), _mm512_setzero_si512());
}

/** C's roundf of every lane, as int32: half away from zero. */
AXC_QUANT512 static inline __m512i axc_round_away16(__m512 x) {
    const __m512 half = _mm512_set1_ps(0.5f), zero = _mm512_setzero_ps();
    __m512 a = _mm512_abs_ps(x);
    __m512 r = _mm512_add_ps(a, half);
    r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(a, half, _CMP_LT_OQ), zero);
    r = _mm512_mask_sub_ps(r, _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ), zero, r);
    return axc_cvtt_java16(r);
}

/** Squared-norm and error lanes summed in double, lane by lane, as VectorBlocks.sum does. */
AXC_QUANT512 static inline double axc_quant_lane_sum(__m512 v) {
    float l[16];
    _mm512_storeu_ps(l, v);
    double t = 0;
    for (int k = 0; k < 16; k++) t += l[k];
    return t;
}

/** The first signed value of largest magnitude among 32 (0 when all are 0), as the scalar loops find it. */
AXC_QUANT512 static inline float axc_quant_signed_max(const float* x, __m512 a0, __m512 a1) {
    float amax = _mm512_reduce_max_ps(_mm512_max_ps(a0, a1));
    if (!(amax > 0)) return 0;
    __mmask16 m0 = _mm512_cmp_ps_mask(a0, _mm512_set1_ps(amax), _CMP_EQ_OQ);
    if (m0 != 0) return x[__builtin_ctz(m0)];
    __mmask16 m1 = _mm512_cmp_ps_mask(a1, _mm512_set1_ps(amax), _CMP_EQ_OQ);
    return m1 != 0 ? x[16 + __builtin_ctz(m1)] : 0;
}

/** A row's error lanes: back is what the codes read back as, v the values they were made from. */
AXC_QUANT512 static inline void axc_quant_err16(__m512 back, __m512 v, __m512* e, __m512* s) {
    __m512 d = _mm512_sub_ps(back, v);
    *e = _mm512_fmadd_ps(d, d, *e);
    *s = _mm512_fmadd_ps(v, v, *s);
}

/** Q8_0 blocks {f16 d; int8 q[32]}: d = amax / 127, q = roundf(x / d). */
AXC_QUANT512 static void axc_quant_q8_0_row(const float* x, uint8_t* y, int cols, double* err) {
    __m512 e = _mm512_setzero_ps(), s = _mm512_setzero_ps();
    for (int b = 0; b < cols / 32; b++, x += 32, y += 34) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        uint16_t h = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(y, &h, 2);
        __m512 vid = _mm512_set1_ps(id);
        __m512i q0 = axc_round_away16(_mm512_mul_ps(v0, vid));
        __m512i q1 = axc_round_away16(_mm512_mul_ps(v1, vid));
        _mm_storeu_si128((__m128i*)(y + 2), _mm512_cvtepi32_epi8(q0));
        _mm_storeu_si128((__m128i*)(y + 18), _mm512_cvtepi32_epi8(q1));
        if (err != NULL) {
            __m512 dd = _mm512_set1_ps(_cvtsh_ss(h));
            __m512 d0 = _mm512_sub_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q0), dd), v0);
            e = _mm512_fmadd_ps(d0, d0, e);
            s = _mm512_fmadd_ps(v0, v0, s);
            __m512 d1 = _mm512_sub_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q1), dd), v1);
            e = _mm512_fmadd_ps(d1, d1, e);
            s = _mm512_fmadd_ps(v1, v1, s);
        }
    }
    if (err != NULL) {
        err[0] = axc_quant_lane_sum(e);
        err[1] = axc_quant_lane_sum(s);
    }
}

/**
 * The scale and codes of a Q4_0 or Q5_0 block of 32 (v0, v1 = x[0..16), x[16..32)): d = max / -levels
 * where max is the signed value of largest magnitude (the first on ties), stored as f16 at y;
 * codes min(top, (int)(x / d + levels + 0.5f)), truncated as Java's (int) cast.
 */
AXC_QUANT512 static inline uint16_t axc_quant_offset_codes(const float* x, __m512 v0, __m512 v1, float levels, int top, uint8_t* y,
                                                           __m512i* lo, __m512i* hi) {
    float d = axc_quant_signed_max(x, _mm512_abs_ps(v0), _mm512_abs_ps(v1)) / -levels;
    float id = d != 0 ? 1.0f / d : 0.0f;
    uint16_t h = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    memcpy(y, &h, 2);
    __m512 vid = _mm512_set1_ps(id), offset = _mm512_set1_ps(levels + 0.5f);
    __m512i t = _mm512_set1_epi32(top);
    *lo = _mm512_min_epi32(axc_cvtt_java16(_mm512_add_ps(_mm512_mul_ps(v0, vid), offset)), t);
    *hi = _mm512_min_epi32(axc_cvtt_java16(_mm512_add_ps(_mm512_mul_ps(v1, vid), offset)), t);
    return h;
}

/** A block's error lanes, its codes read back as the dequantizer does: d * ((code & mask) - levels). */
AXC_QUANT512 static inline void axc_quant_offset_err(uint16_t h, __m512i lo, __m512i hi, int mask, float levels, __m512 v0, __m512 v1,
                                                     __m512* e, __m512* s) {
    __m512 dd = _mm512_set1_ps(_cvtsh_ss(h)), off = _mm512_set1_ps(levels);
    __m512i m = _mm512_set1_epi32(mask);
    axc_quant_err16(_mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_and_si512(lo, m)), off), dd), v0, e, s);
    axc_quant_err16(_mm512_mul_ps(_mm512_sub_ps(_mm512_cvtepi32_ps(_mm512_and_si512(hi, m)), off), dd), v1, e, s);
}

/** Q4_0 blocks {f16 d; u8 qs[16]}: 8 levels, element j in the low nibble of byte j, j+16 in the high. */
AXC_QUANT512 static void axc_quant_q4_0_row(const float* x, uint8_t* y, int cols, double* err) {
    __m512 e = _mm512_setzero_ps(), s = _mm512_setzero_ps();
    for (int b = 0; b < cols / 32; b++, x += 32, y += 18) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        __m512i lo, hi;
        uint16_t h = axc_quant_offset_codes(x, v0, v1, 8.0f, 15, y, &lo, &hi);
        _mm_storeu_si128((__m128i*)(y + 2), _mm512_cvtepi32_epi8(_mm512_or_si512(lo, _mm512_slli_epi32(hi, 4))));
        if (err != NULL) axc_quant_offset_err(h, lo, hi, 15, 8.0f, v0, v1, &e, &s);
    }
    if (err != NULL) {
        err[0] = axc_quant_lane_sum(e);
        err[1] = axc_quant_lane_sum(s);
    }
}

/** Q5_0 blocks {f16 d; u32 qh; u8 qs[16]}: 16 levels, low four bits as Q4_0's nibbles, the fifth bit of element j in bit j of qh. */
AXC_QUANT512 static void axc_quant_q5_0_row(const float* x, uint8_t* y, int cols, double* err) {
    __m512 e = _mm512_setzero_ps(), s = _mm512_setzero_ps();
    const __m512i fifteen = _mm512_set1_epi32(15), bit4 = _mm512_set1_epi32(16);
    for (int b = 0; b < cols / 32; b++, x += 32, y += 22) {
        __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        __m512i lo, hi;
        uint16_t h = axc_quant_offset_codes(x, v0, v1, 16.0f, 31, y, &lo, &hi);
        uint32_t qh = (uint32_t)_mm512_test_epi32_mask(lo, bit4) | ((uint32_t)_mm512_test_epi32_mask(hi, bit4) << 16);
        memcpy(y + 2, &qh, 4);
        __m512i nib = _mm512_or_si512(_mm512_and_si512(lo, fifteen), _mm512_slli_epi32(_mm512_and_si512(hi, fifteen), 4));
        _mm_storeu_si128((__m128i*)(y + 6), _mm512_cvtepi32_epi8(nib));
        if (err != NULL) axc_quant_offset_err(h, lo, hi, 31, 16.0f, v0, v1, &e, &s);
    }
    if (err != NULL) {
        err[0] = axc_quant_lane_sum(e);
        err[1] = axc_quant_lane_sum(s);
    }
}

#include "axc_cpu_kquant.h"

#endif  // AXC_X86

/** Whether rows of source type st quantize to dt here (AVX-512 only; otherwise the Java kernels run). */
static inline int axc_quantize_supported(int st, int dt) {
#ifdef AXC_X86
    return axc_cpu_level() >= AXC_LEVEL_AVX512 && (st == AXC_F32 || st == AXC_F16 || st == AXC_BF16)
           && (dt == AXC_Q8_0 || dt == AXC_Q4_0 || dt == AXC_Q5_0 || dt == AXC_Q4_K || dt == AXC_Q5_K || dt == AXC_Q6_K);
#else
    (void)st; (void)dt;
    return 0;
#endif
}

/**
 * Quantizes `rows` rows of `cols` elements (a multiple of 32) from src (type st, srcRowBytes apart)
 * into dst (type dt, rows back to back). With err non-null, row r's squared error goes to err[2r] and
 * its squared norm to err[2r+1]. Rows of the K-quants must split into 256. Returns 0, or -1 for bad
 * arguments or a pair not supported here.
 */
static inline int axc_quantize_rows(int st, const void* src, long long srcRowBytes, int dt, void* dst,
                                    int cols, int rows, double* err) {
    int block = dt == AXC_Q4_K || dt == AXC_Q5_K || dt == AXC_Q6_K ? 256 : 32;
    if (!axc_quantize_supported(st, dt) || cols <= 0 || cols % block != 0 || rows < 0 || src == NULL || dst == NULL) return -1;
#ifdef AXC_X86
    float* buf = axc_thread_floats((size_t)cols);
    if (buf == NULL) return -1;
    int blockBytes = dt == AXC_Q8_0 ? 34 : dt == AXC_Q4_0 ? 18 : dt == AXC_Q5_0 ? 22 : dt == AXC_Q4_K ? 144 : dt == AXC_Q5_K ? 176 : 210;
    long long rowBytes = (long long)blockBytes * (cols / block);
    for (int r = 0; r < rows; r++) {
        const float* x = axc_quant_source_row(st, (const uint8_t*)src + (size_t)srcRowBytes * r, cols, buf);
        uint8_t* y = (uint8_t*)dst + (size_t)rowBytes * r;
        double* er = err == NULL ? NULL : err + 2 * r;
        switch (dt) {
            case AXC_Q8_0: axc_quant_q8_0_row(x, y, cols, er); break;
            case AXC_Q4_0: axc_quant_q4_0_row(x, y, cols, er); break;
            case AXC_Q5_0: axc_quant_q5_0_row(x, y, cols, er); break;
            default: axc_quant_k_row(dt, x, y, cols, er); break;
        }
    }
    return 0;
#else
    return -1;
#endif
}

#endif
