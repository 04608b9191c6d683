// Matrix products over llama.cpp's other block types, read as the GGUF stores them: Q4_1, Q5_0, Q5_1
// (32 weights a block) and the K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (256 a block; Q2_K and Q3_K
// with float activations only). These are the types of
// llama.cpp's mixes (Q4_K_M keeps Q4_K and Q6_K where rows are whole 256-blocks and falls back to
// Q5_0 and Q8_0 where they are not, as in every 896-wide matrix of the 0.5B Qwen shapes), so a GGUF
// from llama-quantize runs on kernels here rather than on the interpreter's scalar decoders.
//
// Three ways through them:
// - float activations, several rows: each weight row is decoded once per call into float32 (per block
//   the codes as int8 and per 16 weights a scale a and an offset b, weight = a * code + b, as
//   axc.formats.quant's dequantizers compute them), into a buffer that stays in cache, then dotted
//   with every activation row by the float kernels of axc_cpu_kernels.h;
// - float activations, one row (decode): 16 weights at a time decoded and multiplied in registers
//   (AVX-512; the portable decode, compiled for AVX2 and plain C, elsewhere);
// - int8 activations (VNNI): each 32 weights' codes built in a register and multiplied with the
//   activation codes in one vpdpbusd, a row's codes shared by up to four activation rows; and Q4_K in
//   the 16-row layout the compiler packs (axc_group16_q4k_vnni; Q5_0's runs with Q4_0's in
//   axc_cpu_kernels.h).
// Float results equal a float dot product of the dequantized row to float rounding.
//
// Included by axc_cpu_kernels.h, after its helpers.
#ifndef AXC_CPU_BLOCKS_H
#define AXC_CPU_BLOCKS_H

static inline int axc_block_is_stored(int dtype) { return dtype >= AXC_Q4_1 && dtype <= AXC_Q3_K; }

/** Weights per block. */
static inline int axc_block_elems(int dtype) { return dtype >= AXC_Q4_K ? 256 : 32; }

/** Bytes per block (llama.cpp's block structs). */
static inline int axc_block_bytes(int dtype) {
    switch (dtype) {
        case AXC_Q4_1: return 20;
        case AXC_Q5_0: return 22;
        case AXC_Q5_1: return 24;
        case AXC_Q4_K: return 144;
        case AXC_Q5_K: return 176;
        case AXC_Q6_K: return 210;
        case AXC_Q2_K: return 84;
        case AXC_Q3_K: return 110;
    }
    return 0;
}

/** One block decoded: weight i = a[i / 16] * c[i] + b[i / 16]. */
typedef struct {
    int8_t c[256];
    float a[16];
    float b[16];
} axc_decoded;

static inline uint32_t axc_le32(const uint8_t* p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/**
 * Q4_K / Q5_K: the eight 6-bit scales (out[0..8)) and mins (out[8..16)) of a block (llama.cpp's
 * get_scale_min_k4 for sub-blocks 0..7), all at once on 32-bit words: decoded one sub-block at a time
 * they were the slowest part of a one-row product.
 */
static inline void axc_scales_k4(const uint8_t* s, uint8_t* out) {
    uint32_t w0 = axc_le32(s), w1 = axc_le32(s + 4), w2 = axc_le32(s + 8);
    uint32_t u[4];
    u[0] = w0 & 0x3F3F3F3Fu;                                                  // scales 0-3
    u[1] = (w2 & 0x0F0F0F0Fu) | (((w0 >> 6) & 0x03030303u) << 4);            // scales 4-7
    u[2] = w1 & 0x3F3F3F3Fu;                                                  // mins 0-3
    u[3] = ((w2 >> 4) & 0x0F0F0F0Fu) | (((w1 >> 6) & 0x03030303u) << 4);     // mins 4-7
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 4; k++) out[4 * i + k] = (uint8_t)(u[i] >> (8 * k));
    }
}

/**
 * Q3_K: the sixteen 6-bit scales of a block (12 bytes: low nibbles, then the high two bits packed),
 * minus 32, as llama.cpp's dequantize_row_q3_K unpacks them on 32-bit words.
 */
static inline void axc_scales_q3k(const uint8_t* s, int8_t* out) {
    uint32_t a0 = axc_le32(s), a1 = axc_le32(s + 4), t = axc_le32(s + 8);
    uint32_t u[4];
    u[0] = (a0 & 0x0F0F0F0Fu) | ((t & 0x03030303u) << 4);
    u[1] = (a1 & 0x0F0F0F0Fu) | (((t >> 2) & 0x03030303u) << 4);
    u[2] = ((a0 >> 4) & 0x0F0F0F0Fu) | (((t >> 4) & 0x03030303u) << 4);
    u[3] = ((a1 >> 4) & 0x0F0F0F0Fu) | (((t >> 6) & 0x03030303u) << 4);
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 4; k++) out[4 * i + k] = (int8_t)((int)((u[i] >> (8 * k)) & 0x3F) - 32);
    }
}

/** Low and high halves of a 32-weight block with 4-bit codes in qs[16] and fifth bits in qh (Q5_0/Q5_1). */
static inline void axc_codes5(const uint8_t* qs, uint32_t qh, int8_t* c, int minus) {
    for (int j = 0; j < 16; j++) {
        c[j] = (int8_t)(((qs[j] & 0x0F) | (((qh >> j) << 4) & 0x10)) - minus);
        c[j + 16] = (int8_t)(((qs[j] >> 4) | ((qh >> (j + 12)) & 0x10)) - minus);
    }
}

static inline void axc_decode_block(int dtype, const uint8_t* p, axc_decoded* o) {
    switch (dtype) {
        case AXC_Q4_1: {
            float d = axc_f16_to_f32(axc_u16(p)), m = axc_f16_to_f32(axc_u16(p + 2));
            for (int j = 0; j < 16; j++) {
                o->c[j] = (int8_t)(p[4 + j] & 0x0F);
                o->c[j + 16] = (int8_t)(p[4 + j] >> 4);
            }
            o->a[0] = o->a[1] = d;
            o->b[0] = o->b[1] = m;
            return;
        }
        case AXC_Q5_0: {
            float d = axc_f16_to_f32(axc_u16(p));
            axc_codes5(p + 6, axc_le32(p + 2), o->c, 16);
            o->a[0] = o->a[1] = d;
            o->b[0] = o->b[1] = 0.0f;
            return;
        }
        case AXC_Q5_1: {
            float d = axc_f16_to_f32(axc_u16(p)), m = axc_f16_to_f32(axc_u16(p + 2));
            axc_codes5(p + 8, axc_le32(p + 4), o->c, 0);
            o->a[0] = o->a[1] = d;
            o->b[0] = o->b[1] = m;
            return;
        }
        case AXC_Q4_K:
        case AXC_Q5_K: {
            // d, dmin, 12 bytes of scales, [Q5_K: 32 bytes of fifth bits,] 128 bytes of nibbles:
            // sub-blocks 2k and 2k+1 are the low and high nibbles of bytes 32k..32k+31.
            float d = axc_f16_to_f32(axc_u16(p)), dmin = axc_f16_to_f32(axc_u16(p + 2));
            const uint8_t* qh = p + 16;
            const uint8_t* qs = p + (dtype == AXC_Q5_K ? 48 : 16);
            uint8_t sm[16];
            axc_scales_k4(p + 4, sm);
            for (int g = 0; g < 8; g++) {
                float dl = d * (float)sm[g], ml = dmin * (float)sm[8 + g];
                o->a[2 * g] = o->a[2 * g + 1] = dl;
                o->b[2 * g] = o->b[2 * g + 1] = -ml;
                const uint8_t* q = qs + 32 * (g / 2);
                int shift = 4 * (g % 2);
                int8_t* c = o->c + 32 * g;
                if (dtype == AXC_Q5_K) {
                    for (int l = 0; l < 32; l++) c[l] = (int8_t)(((q[l] >> shift) & 0xF) | (((qh[l] >> g) & 1) << 4));
                } else {
                    for (int l = 0; l < 32; l++) c[l] = (int8_t)((q[l] >> shift) & 0xF);
                }
            }
            return;
        }
        case AXC_Q6_K: {
            // ql[128] low nibbles, qh[64] two high bits each, int8 scales[16] per 16 weights, f16 d.
            const uint8_t* ql = p;
            const uint8_t* qh = p + 128;
            const int8_t* sc = (const int8_t*)(p + 192);
            float d = axc_f16_to_f32(axc_u16(p + 208));
            for (int g = 0; g < 16; g++) {
                o->a[g] = d * (float)sc[g];
                o->b[g] = 0.0f;
            }
            for (int half = 0; half < 2; half++) {
                const uint8_t* l4 = ql + 64 * half;
                const uint8_t* h2 = qh + 32 * half;
                int8_t* c = o->c + 128 * half;
                for (int l = 0; l < 32; l++) {
                    c[l] = (int8_t)(((l4[l] & 0xF) | ((h2[l] & 3) << 4)) - 32);
                    c[l + 32] = (int8_t)(((l4[l + 32] & 0xF) | (((h2[l] >> 2) & 3) << 4)) - 32);
                    c[l + 64] = (int8_t)(((l4[l] >> 4) | (((h2[l] >> 4) & 3) << 4)) - 32);
                    c[l + 96] = (int8_t)(((l4[l + 32] >> 4) | (((h2[l] >> 6) & 3) << 4)) - 32);
                }
            }
            return;
        }
        case AXC_Q2_K: {
            // scales[16] (scale in the low nibble, min in the high), qs[64] of 2-bit codes, f16 d and dmin.
            // Sub-block 8h + 2j + s (16 weights) takes bits 2j..2j+1 of qs[32h + 16s .. +16).
            const uint8_t* sc = p;
            const uint8_t* qs = p + 16;
            float d = axc_f16_to_f32(axc_u16(p + 80)), dmin = axc_f16_to_f32(axc_u16(p + 82));
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 4; j++) {
                    for (int s = 0; s < 2; s++) {
                        int is = 8 * h + 2 * j + s;
                        o->a[is] = d * (float)(sc[is] & 0xF);
                        o->b[is] = -(dmin * (float)(sc[is] >> 4));
                        for (int l = 0; l < 16; l++) o->c[16 * is + l] = (int8_t)((qs[32 * h + 16 * s + l] >> (2 * j)) & 3);
                    }
                }
            }
            return;
        }
        case AXC_Q3_K: {
            // hmask[32], qs[64] of 2-bit codes, scales[12] (16 of 6 bits), f16 d. Sub-block 8h + 2j + s takes
            // bits 2j..2j+1 of qs[32h + 16s ..] and, as its third bit, bit 4h + j of hmask[16s ..]: clear means -4.
            const uint8_t* hm = p;
            const uint8_t* qs = p + 32;
            float d = axc_f16_to_f32(axc_u16(p + 108));
            int8_t sc[16];
            axc_scales_q3k(p + 96, sc);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 4; j++) {
                    for (int s = 0; s < 2; s++) {
                        int is = 8 * h + 2 * j + s;
                        o->a[is] = d * (float)sc[is];
                        o->b[is] = 0.0f;
                        for (int l = 0; l < 16; l++) {
                            int q = (qs[32 * h + 16 * s + l] >> (2 * j)) & 3;
                            o->c[16 * is + l] = (int8_t)(q - (((hm[16 * s + l] >> (4 * h + j)) & 1) ? 0 : 4));
                        }
                    }
                }
            }
            return;
        }
    }
}

/** A row of cols weights (whole blocks) to float32 (where the compiler fuses a * c + b, one rounding fewer than the dequantizers). */
static inline __attribute__((always_inline)) void axc_decode_row_body(int dtype, const uint8_t* row, int cols, float* out) {
    int be = axc_block_elems(dtype), bb = axc_block_bytes(dtype);
    axc_decoded d;
    for (int k = 0; k < cols / be; k++) {
        axc_decode_block(dtype, row + (size_t)bb * k, &d);
        float* o = out + (size_t)be * k;
        for (int g = 0; g < be / 16; g++) {
            float a = d.a[g], b = d.b[g];
            const int8_t* c = d.c + 16 * g;
            float* og = o + 16 * g;
            for (int i = 0; i < 16; i++) og[i] = a * (float)c[i] + b;
        }
    }
}

static void axc_decode_row_portable(int dtype, const uint8_t* row, int cols, float* out) { axc_decode_row_body(dtype, row, cols, out); }

#ifdef AXC_X86
AXC_AVX2 static void axc_decode_row_avx2(int dtype, const uint8_t* row, int cols, float* out) { axc_decode_row_body(dtype, row, cols, out); }

// AVX-512: 16 weights a step, codes widened to int32 lanes. The compiler does not vectorize the
// bit-gathering of the portable decode well (a 32-weight Q5_0 block went at 1.4 G weights/s), and a
// decode step is all a one-row product (decoding) does per weight besides one multiply-add.

/** Writes weights i..i+16 = a * q + b to a float row. */
struct axc_store16 {
    float* out;
    AXC_AVX512 inline void operator()(size_t i, __m512i q, float a, float b) {
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q), _mm512_set1_ps(a)), _mm512_set1_ps(b)));
    }
};

/** Adds (a * q + b) . x[i..i+16) to a running dot product: a one-row product without the row buffer. */
struct axc_dot16 {
    const float* x;
    __m512 acc;
    AXC_AVX512 inline void operator()(size_t i, __m512i q, float a, float b) {
        acc = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_cvtepi32_ps(q), _mm512_set1_ps(a), _mm512_set1_ps(b)), _mm512_loadu_ps(x + i), acc);
    }
};

/** 16 bytes widened to int32 lanes. */
AXC_AVX512 static inline __m512i axc_u8x16(const uint8_t* p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*)p)); }

/** Every 16 weights of a row, in order, to emit(i, codes, a, b). */
template <typename Emit>
AXC_AVX512 static void axc_blocks_avx512(int dtype, const uint8_t* row, int cols, Emit& emit) {
    const __m512i nib = _mm512_set1_epi32(0xF), one = _mm512_set1_epi32(1), three = _mm512_set1_epi32(3);
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i lanes16 = _mm512_add_epi32(lanes, _mm512_set1_epi32(16));
    int be = axc_block_elems(dtype), bb = axc_block_bytes(dtype);
    for (int k = 0; k < cols / be; k++) {
        const uint8_t* p = row + (size_t)bb * k;
        size_t o = (size_t)be * k;
        switch (dtype) {
            case AXC_Q4_1: {
                float d = _cvtsh_ss(axc_u16(p)), m = _cvtsh_ss(axc_u16(p + 2));
                __m512i q = axc_u8x16(p + 4);
                emit(o, _mm512_and_si512(q, nib), d, m);
                emit(o + 16, _mm512_srli_epi32(q, 4), d, m);
                break;
            }
            case AXC_Q5_0:
            case AXC_Q5_1: {
                // The fifth bit of weight j is bit j of qh: lanes 0..15 take bits 0..15, the high nibbles 16..31.
                int q51 = dtype == AXC_Q5_1;
                float d = _cvtsh_ss(axc_u16(p)), m = q51 ? _cvtsh_ss(axc_u16(p + 2)) : 0.0f;
                __m512i hv = _mm512_set1_epi32((int)axc_le32(p + (q51 ? 4 : 2)));
                __m512i q = axc_u8x16(p + (q51 ? 8 : 6));
                __m512i lo = _mm512_or_si512(_mm512_and_si512(q, nib), _mm512_slli_epi32(_mm512_and_si512(_mm512_srlv_epi32(hv, lanes), one), 4));
                __m512i hi = _mm512_or_si512(_mm512_srli_epi32(q, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srlv_epi32(hv, lanes16), one), 4));
                if (!q51) {
                    const __m512i sixteen = _mm512_set1_epi32(16);
                    lo = _mm512_sub_epi32(lo, sixteen);
                    hi = _mm512_sub_epi32(hi, sixteen);
                }
                emit(o, lo, d, m);
                emit(o + 16, hi, d, m);
                break;
            }
            case AXC_Q4_K:
            case AXC_Q5_K: {
                int q5 = dtype == AXC_Q5_K;
                float d = _cvtsh_ss(axc_u16(p)), dmin = _cvtsh_ss(axc_u16(p + 2));
                const uint8_t* qh = p + 16;
                const uint8_t* qs = p + (q5 ? 48 : 16);
                uint8_t sm[16];
                axc_scales_k4(p + 4, sm);
                for (int g = 0; g < 8; g++) {
                    float dl = d * (float)sm[g], ml = dmin * (float)sm[8 + g];
                    for (int h = 0; h < 2; h++) {
                        __m512i c = _mm512_and_si512(_mm512_srli_epi32(axc_u8x16(qs + 32 * (g / 2) + 16 * h), 4 * (g % 2)), nib);
                        if (q5) c = _mm512_or_si512(c, _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(axc_u8x16(qh + 16 * h), g), one), 4));
                        emit(o + 32 * g + 16 * h, c, dl, -ml);
                    }
                }
                break;
            }
            case AXC_Q6_K: {
                const int8_t* sc = (const int8_t*)(p + 192);
                float d = _cvtsh_ss(axc_u16(p + 208));
                const __m512i thirty2 = _mm512_set1_epi32(32);
                for (int half = 0; half < 2; half++) {
                    for (int l0 = 0; l0 < 32; l0 += 16) {
                        __m512i l4a = axc_u8x16(p + 64 * half + l0), l4b = axc_u8x16(p + 64 * half + 32 + l0);
                        __m512i h2 = axc_u8x16(p + 128 + 32 * half + l0);
                        __m512i c[4] = {
                            _mm512_or_si512(_mm512_and_si512(l4a, nib), _mm512_slli_epi32(_mm512_and_si512(h2, three), 4)),
                            _mm512_or_si512(_mm512_and_si512(l4b, nib), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(h2, 2), three), 4)),
                            _mm512_or_si512(_mm512_srli_epi32(l4a, 4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(h2, 4), three), 4)),
                            _mm512_or_si512(_mm512_srli_epi32(l4b, 4), _mm512_slli_epi32(_mm512_srli_epi32(h2, 6), 4)),
                        };
                        for (int q = 0; q < 4; q++) {
                            emit(o + 128 * half + 32 * q + l0, _mm512_sub_epi32(c[q], thirty2), d * (float)sc[8 * half + 2 * q + l0 / 16], 0.0f);
                        }
                    }
                }
                break;
            }
            case AXC_Q2_K: {
                const uint8_t* sc = p;
                float d = _cvtsh_ss(axc_u16(p + 80)), dmin = _cvtsh_ss(axc_u16(p + 82));
                for (int h = 0; h < 2; h++) {
                    for (int s = 0; s < 2; s++) {
                        __m512i q = axc_u8x16(p + 16 + 32 * h + 16 * s);
                        for (int j = 0; j < 4; j++) {
                            int is = 8 * h + 2 * j + s;
                            emit(o + 16 * is, _mm512_and_si512(_mm512_srli_epi32(q, 2 * j), three), d * (float)(sc[is] & 0xF), -(dmin * (float)(sc[is] >> 4)));
                        }
                    }
                }
                break;
            }
            case AXC_Q3_K: {
                float d = _cvtsh_ss(axc_u16(p + 108));
                int8_t sc[16];
                axc_scales_q3k(p + 96, sc);
                const __m512i four = _mm512_set1_epi32(4);
                for (int h = 0; h < 2; h++) {
                    for (int s = 0; s < 2; s++) {
                        __m512i q = axc_u8x16(p + 32 + 32 * h + 16 * s), hb = axc_u8x16(p + 16 * s);
                        for (int j = 0; j < 4; j++) {
                            int is = 8 * h + 2 * j + s;
                            // code - 4 + 4 * (third bit)
                            __m512i c = _mm512_and_si512(_mm512_srli_epi32(q, 2 * j), three);
                            __m512i high = _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, 4 * h + j), one), 2);
                            emit(o + 16 * is, _mm512_add_epi32(_mm512_sub_epi32(c, four), high), d * (float)sc[is], 0.0f);
                        }
                    }
                }
                break;
            }
        }
    }
}

AXC_AVX512 static void axc_decode_row_avx512(int dtype, const uint8_t* row, int cols, float* out) {
    axc_store16 store = {out};
    axc_blocks_avx512(dtype, row, cols, store);
}

AXC_AVX512 static float axc_dot_blocks_avx512(int dtype, const uint8_t* row, int cols, const float* x) {
    axc_dot16 dot = {x, _mm512_setzero_ps()};
    axc_blocks_avx512(dtype, row, cols, dot);
    return axc_hsum512(dot.acc);
}
#endif

/**
 * Output rows [r0, r1) for each of n activation rows, like axc_cpu_matmul, for the block types above
 * stored as in GGUF (rowBytes apart, cols a whole number of blocks). Returns 0, or -1 for an unknown
 * type, bad arguments or no memory (nothing written then).
 */
static inline int axc_cpu_matmul_blocks(int dtype, const void* w, long long rowBytes, int cols, const float* x, int n,
                                        float* y, int yStride, int yOff, int r0, int r1) {
    if (!axc_block_is_stored(dtype) || cols <= 0 || cols % axc_block_elems(dtype) != 0 || n <= 0 || r0 < 0 || r1 < r0) return -1;
    if (rowBytes < (long long)cols / axc_block_elems(dtype) * axc_block_bytes(dtype)) return -1;
    float* wrow = axc_thread_floats((size_t)cols);
    if (wrow == NULL) return -1;
    const uint8_t* wb = (const uint8_t*)w;
    int level = axc_cpu_level();
    for (int r = r0; r < r1; r++) {
        const uint8_t* row = wb + (size_t)rowBytes * r;
#ifdef AXC_X86
        if (n == 1 && level >= AXC_LEVEL_AVX512) {
            // One activation row (decode): decode and dot in registers.
            y[yOff + r] = axc_dot_blocks_avx512(dtype, row, cols, x);
            continue;
        }
        if (level >= AXC_LEVEL_AVX512) axc_decode_row_avx512(dtype, row, cols, wrow);
        else if (level == AXC_LEVEL_AVX2) axc_decode_row_avx2(dtype, row, cols, wrow);
        else
#endif
            axc_decode_row_portable(dtype, row, cols, wrow);
        // Every activation row against the decoded row: the float kernels with a row stride of 0 make
        // the buffer row r.
        axc_cpu_matmul(AXC_F32, wrow, 0, cols, x, n, y, yStride, yOff, r, r + 1);
    }
    return 0;
}

// ---------------------------------------------------------------- int8 activations (AVX-512 VNNI)
//
// As llama.cpp's CPU backend runs these types: the activations quantized per 32 (axc_cpu_quantize_rows16's
// natural layout: int8 q, float d, int32 code sum s per 32), and each 32 weights' codes, made unsigned
// and put in natural order in a register, multiplied with them in one vpdpbusd (unsigned weight times
// signed activation bytes, four products a lane). The int32 lanes are then scaled in float by the
// weights' scale times the activation block's: lanes 0-3 hold the first 16 weights' sums, lanes 4-7 the
// second 16's, which is what Q6_K's per-16 scales need. Offsets and mins use the blocks' code sums s.
// The codes are built in registers from the stored blocks (nothing repacked, no row buffer): the scale
// decode is vectorized for the K-quants, where scalar it had cost as much as the products.

#ifdef AXC_X86
/** The low and high nibbles of 16 bytes as 32 codes in natural order (low nibbles first). */
AXC_VNNI static inline __m256i axc_nibbles32(const uint8_t* p) {
    const __m128i low = _mm_set1_epi8(0x0F);
    __m128i v = _mm_loadu_si128((const __m128i*)p);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), low), _mm_and_si128(v, low));
}

/** codes . q over 32 weights, as 8 float lanes (4 products summed per lane). */
AXC_VNNI static inline __m256 axc_dot32(__m256i codes, const int8_t* q) {
    return _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(_mm256_setzero_si256(), codes, _mm256_loadu_si256((const __m256i*)q)));
}

/**
 * One stored row (whole blocks) times NT quantized activation rows (cols / 32 natural blocks each):
 * out[t] for act[t]. Each 32 weights' codes are built once and used for every activation row, so a
 * prefill pays for the decoding once per four rows.
 */
template <int NT>
AXC_VNNI static void axc_dot_blocks_vnni(int dtype, const uint8_t* row, const uint8_t* const* act, int cols, float* out) {
    int nb = cols / 32;
    const int8_t* q[NT];
    const float* dx[NT];
    const int32_t* sx[NT];
    __m256 acc[NT];
    float off[NT];  // sum over blocks of the offset (or min) times dx * s
    for (int t = 0; t < NT; t++) {
        q[t] = (const int8_t*)act[t];
        dx[t] = (const float*)(act[t] + 32 * nb);
        sx[t] = (const int32_t*)(act[t] + 36 * nb);
        acc[t] = _mm256_setzero_ps();
        off[t] = 0.0f;
    }
    const __m256i low = _mm256_set1_epi8(0x0F), sixteen = _mm256_set1_epi8(16), three = _mm256_set1_epi8(3);
    switch (dtype) {
        case AXC_Q4_1:
        case AXC_Q5_0:
        case AXC_Q5_1: {
            int bb = axc_block_bytes(dtype);
            for (int b = 0; b < nb; b++) {
                const uint8_t* p = row + (size_t)bb * b;
                float d = _cvtsh_ss(axc_u16(p));
                // Q5_0: (c - 16) . x; Q4_1 / Q5_1: c . x + m * sum(x).
                float o = dtype == AXC_Q5_0 ? -16.0f * d : _cvtsh_ss(axc_u16(p + 2));
                __m256i c = axc_nibbles32(p + (dtype == AXC_Q4_1 ? 4 : dtype == AXC_Q5_0 ? 6 : 8));
                if (dtype != AXC_Q4_1) c = _mm256_mask_add_epi8(c, (__mmask32)axc_le32(p + (dtype == AXC_Q5_0 ? 2 : 4)), c, sixteen);
                for (int t = 0; t < NT; t++) {
                    acc[t] = _mm256_fmadd_ps(axc_dot32(c, q[t] + 32 * b), _mm256_set1_ps(d * dx[t][b]), acc[t]);
                    off[t] += o * dx[t][b] * (float)sx[t][b];
                }
            }
            break;
        }
        case AXC_Q4_K:
        case AXC_Q5_K: {
            int q5 = dtype == AXC_Q5_K, bb = axc_block_bytes(dtype);
            __m256 accm[NT];
            for (int t = 0; t < NT; t++) accm[t] = _mm256_setzero_ps();
            for (int k = 0; k < cols / 256; k++) {
                const uint8_t* p = row + (size_t)bb * k;
                uint8_t sm[16];
                axc_scales_k4(p + 4, sm);
                __m128i smv = _mm_loadu_si128((const __m128i*)sm);
                // Per sub-block: d * scale (times each row's dx below), and dmin * min * dx * s (taken off at the end).
                __m256 sc = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(smv)), _mm256_set1_ps(_cvtsh_ss(axc_u16(p))));
                __m256 ml = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(smv, 8))), _mm256_set1_ps(_cvtsh_ss(axc_u16(p + 2))));
                __m256 dl[NT];
                for (int t = 0; t < NT; t++) {
                    __m256 dxv = _mm256_loadu_ps(dx[t] + 8 * k);
                    dl[t] = _mm256_mul_ps(sc, dxv);
                    accm[t] = _mm256_fmadd_ps(_mm256_mul_ps(ml, dxv), _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)(sx[t] + 8 * k))), accm[t]);
                }
                const uint8_t* qs = p + (q5 ? 48 : 16);
                __m256i qh = q5 ? _mm256_loadu_si256((const __m256i*)(p + 16)) : _mm256_setzero_si256();
                for (int j = 0; j < 4; j++) {
                    __m256i v = _mm256_loadu_si256((const __m256i*)(qs + 32 * j));
                    __m256i lo = _mm256_and_si256(v, low), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
                    if (q5) {
                        lo = _mm256_mask_add_epi8(lo, _mm256_test_epi8_mask(qh, _mm256_set1_epi8((char)(1 << (2 * j)))), lo, sixteen);
                        hi = _mm256_mask_add_epi8(hi, _mm256_test_epi8_mask(qh, _mm256_set1_epi8((char)(1 << (2 * j + 1)))), hi, sixteen);
                    }
                    for (int t = 0; t < NT; t++) {
                        const int8_t* xk = q[t] + 256 * k + 64 * j;
                        acc[t] = _mm256_fmadd_ps(axc_dot32(lo, xk), _mm256_permutexvar_ps(_mm256_set1_epi32(2 * j), dl[t]), acc[t]);
                        acc[t] = _mm256_fmadd_ps(axc_dot32(hi, xk + 32), _mm256_permutexvar_ps(_mm256_set1_epi32(2 * j + 1), dl[t]), acc[t]);
                    }
                }
            }
            for (int t = 0; t < NT; t++) off[t] = -axc_hsum256(accm[t]);
            break;
        }
        case AXC_Q6_K: {
            // Codes 0..63 (stored minus 32): (c - 32) . x per 16 = c . x - 32 * sum(x), the second term by
            // a vpdpbusd of 32s, lane for lane with the first; one scale per 16 weights.
            const __m256i k32 = _mm256_set1_epi8(32);
            for (int k = 0; k < cols / 256; k++) {
                const uint8_t* p = row + 210 * (size_t)k;
                __m128i scb = _mm_loadu_si128((const __m128i*)(p + 192));
                __m256 d = _mm256_set1_ps(_cvtsh_ss(axc_u16(p + 208)));
                __m256 sc[2] = {_mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(scb)), d),
                                _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(scb, 8))), d)};
                for (int half = 0; half < 2; half++) {
                    __m256i l4a = _mm256_loadu_si256((const __m256i*)(p + 64 * half));
                    __m256i l4b = _mm256_loadu_si256((const __m256i*)(p + 64 * half + 32));
                    __m256i h2 = _mm256_loadu_si256((const __m256i*)(p + 128 + 32 * half));
                    // Byte-wise shifts through 16-bit lanes: each result is masked to its own byte's bits.
                    __m256i c[4] = {
                        _mm256_or_si256(_mm256_and_si256(l4a, low), _mm256_slli_epi16(_mm256_and_si256(h2, three), 4)),
                        _mm256_or_si256(_mm256_and_si256(l4b, low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h2, 2), three), 4)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l4a, 4), low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h2, 4), three), 4)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l4b, 4), low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h2, 6), three), 4)),
                    };
                    for (int j = 0; j < 4; j++) {
                        int b = 8 * k + 4 * half + j;  // the activation block of these 32 weights
                        // Lanes 0-3 take scale 2j of this half, lanes 4-7 scale 2j + 1.
                        __m256i idx = _mm256_setr_epi32(2 * j, 2 * j, 2 * j, 2 * j, 2 * j + 1, 2 * j + 1, 2 * j + 1, 2 * j + 1);
                        __m256 s16 = _mm256_permutexvar_ps(idx, sc[half]);
                        for (int t = 0; t < NT; t++) {
                            __m256i xq = _mm256_loadu_si256((const __m256i*)(q[t] + 32 * b));
                            __m256i lanes = _mm256_sub_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), c[j], xq),
                                                             _mm256_dpbusd_epi32(_mm256_setzero_si256(), k32, xq));
                            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), _mm256_mul_ps(s16, _mm256_set1_ps(dx[t][b])), acc[t]);
                        }
                    }
                }
            }
            break;
        }
    }
    for (int t = 0; t < NT; t++) out[t] = axc_hsum256(acc[t]) + off[t];
}
#endif

#ifdef AXC_X86
/**
 * Q4_K in the 16-row layout (axc.target.cpu.PackedRows, q4kGroup16): one group of 16 rows times nt
 * (1..4) activation rows (at act, arb bytes apart), y[t * yStride + i] for row i. Per 256 columns the
 * 16 rows' 6-bit scales and mins are decoded in vector lanes (the word trick of axc_scales_k4, one
 * lane a row), and each 64-byte chunk of codes advances 16 rows' sums by four products per nibble
 * half, the activation's 4 bytes broadcast, as for Q4_0.
 */
AXC_VNNI static void axc_group16_q4k_vnni(const uint8_t* w, int cols, const uint8_t* act, long long arb, int nt, float* y, size_t yStride) {
    int nb = cols / 32;
    const int8_t* q[4];
    const float* dx[4];
    const int32_t* sx[4];
    axc_act16_rows(act, arb, nt, nb, q, dx, sx);
    const __m512i low = _mm512_set1_epi8(0x0F), m6 = _mm512_set1_epi32(0x3F3F3F3F), m4 = _mm512_set1_epi32(0x0F0F0F0F);
    const __m512i m2 = _mm512_set1_epi32(0x03030303), byte = _mm512_set1_epi32(0xFF);
    __m512 acc[4], accm[4];
    for (int t = 0; t < 4; t++) acc[t] = accm[t] = _mm512_setzero_ps();
    for (int k = 0; k < cols / 256; k++) {
        const uint8_t* blk = w + (size_t)2304 * k;
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(blk + 2048)));
        __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(blk + 2080)));
        __m512i w0 = _mm512_loadu_si512(blk + 2112), w1 = _mm512_loadu_si512(blk + 2176), w2 = _mm512_loadu_si512(blk + 2240);
        // Scales of sub-blocks 0-3 and 4-7, mins of 0-3 and 4-7: one byte each, one lane per row.
        __m512i u[4] = {
            _mm512_and_si512(w0, m6),
            _mm512_or_si512(_mm512_and_si512(w2, m4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(w0, 6), m2), 4)),
            _mm512_and_si512(w1, m6),
            _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(w2, 4), m4), _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(w1, 6), m2), 4)),
        };
        for (int j = 0; j < 4; j++) {
            __m512i s[2][4];
            for (int t = 0; t < nt; t++) s[0][t] = s[1][t] = _mm512_setzero_si512();
            for (int c = 0; c < 8; c++) {
                __m512i v = _mm512_loadu_si512(blk + 512 * j + 64 * c);
                __m512i lo = _mm512_and_si512(v, low), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
                for (int t = 0; t < nt; t++) {
                    int32_t xl, xh;
                    memcpy(&xl, q[t] + 256 * k + 64 * j + 4 * c, 4);
                    memcpy(&xh, q[t] + 256 * k + 64 * j + 32 + 4 * c, 4);
                    s[0][t] = _mm512_dpbusd_epi32(s[0][t], lo, _mm512_set1_epi32(xl));
                    s[1][t] = _mm512_dpbusd_epi32(s[1][t], hi, _mm512_set1_epi32(xh));
                }
            }
            for (int h = 0; h < 2; h++) {
                int g = 2 * j + h;
                __m512i shift = _mm512_set1_epi32(8 * (g % 4));
                __m512 sc = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srlv_epi32(u[g / 4], shift), byte)));
                __m512 mn = _mm512_mul_ps(dmin, _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srlv_epi32(u[2 + g / 4], shift), byte)));
                for (int t = 0; t < nt; t++) {
                    int b = 8 * k + g;  // the activation block of this sub-block
                    acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[h][t]), _mm512_mul_ps(sc, _mm512_set1_ps(dx[t][b])), acc[t]);
                    accm[t] = _mm512_fmadd_ps(mn, _mm512_set1_ps(dx[t][b] * (float)sx[t][b]), accm[t]);
                }
            }
        }
    }
    for (int t = 0; t < nt; t++) _mm512_storeu_ps(y + yStride * t, _mm512_sub_ps(acc[t], accm[t]));
}
#endif

/**
 * Like axc_cpu_matmul_blocks with activations from axc_cpu_quantize_rows16: rows [r0, r1) times n
 * quantized activation rows. Returns 0, or -1 when this CPU has no int8 kernel for dtype or the
 * arguments are bad (nothing written then).
 */
static inline int axc_cpu_matmul_blocks_int8(int dtype, const void* w, long long rowBytes, int cols, const void* act, int n,
                                             float* y, int yStride, int yOff, int r0, int r1) {
    if (!axc_block_is_stored(dtype) || !axc_cpu_int8_supported(dtype) || cols <= 0 || cols % axc_block_elems(dtype) != 0
        || n <= 0 || r0 < 0 || r1 < r0) return -1;
    if (rowBytes < (long long)cols / axc_block_elems(dtype) * axc_block_bytes(dtype)) return -1;
#ifdef AXC_X86
    long long arb = axc_act16_row_bytes(cols);
    for (int r = r0; r < r1; r++) {
        const uint8_t* row = (const uint8_t*)w + (size_t)rowBytes * r;
        for (int t0 = 0; t0 < n; t0 += 4) {
            int nt = n - t0 < 4 ? n - t0 : 4;
            const uint8_t* a[4];
            float v[4];
            for (int t = 0; t < nt; t++) a[t] = (const uint8_t*)act + arb * (t0 + t);
            switch (nt) {
                case 4: axc_dot_blocks_vnni<4>(dtype, row, a, cols, v); break;
                case 3: axc_dot_blocks_vnni<3>(dtype, row, a, cols, v); break;
                case 2: axc_dot_blocks_vnni<2>(dtype, row, a, cols, v); break;
                default: axc_dot_blocks_vnni<1>(dtype, row, a, cols, v); break;
            }
            for (int t = 0; t < nt; t++) y[(size_t)(t0 + t) * yStride + yOff + r] = v[t];
        }
    }
    return 0;
#else
    return -1;
#endif
}

#endif
