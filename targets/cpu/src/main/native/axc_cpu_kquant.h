// Round-to-nearest quantization of float rows to llama.cpp's Q4_K, Q5_K and Q6_K, for `axc quantize`
// (included by axc_cpu_quant.h, which dispatches to it; AVX-512 only).
//
// Why native: most of a K-quant's cost is its scale search, which the Java kernels run in vector
// lanes (axc.formats.quant.VectorQ6KSearch, VectorQkx2Search). In a one-shot command those ran
// interpreted or half compiled for seconds: a 0.5B Q4_K_M took 5.6 s cold against 1.7-2.0 s in a
// warm JVM. These run compiled from the first block.
//
// Bytes are those of llama.cpp's quantize_row_q{4,5,6}_K_ref, as axc.formats.quant.Q4_K, Q5_K and
// Q6_K produce them. The searches run as the Java lane searches do: one sub-block per lane (16 lanes
// for Q6_K's 16 sub-blocks, 8 for the 8 groups of Q4_K and Q5_K), every lane doing the scalar
// reference's float operations in its order, unfused (fp-contract is off), with ggml's nearest_int
// by the 1.5 * 2^23 trick. The per-row error sums read the codes back as the dequantizers do and
// accumulate them in 16 lanes in row order, as axc.formats.quant.Quantizer.dequantizedError does at
// 512 bits.
#ifndef AXC_CPU_KQUANT_H
#define AXC_CPU_KQUANT_H

/** ggml's nearest_int: round to nearest even through the float adder (exact for |v| < 2^22). */
AXC_QUANT512 static inline int axc_nearest_int(float f) {
    float v = f + 12582912.f;
    int32_t i;
    memcpy(&i, &v, 4);
    return (i & 0x007fffff) - 0x00400000;
}

AXC_QUANT512 static inline __m512i axc_nearest16(__m512 v) {
    __m512i bits = _mm512_castps_si512(_mm512_add_ps(v, _mm512_set1_ps(12582912.f)));
    return _mm512_sub_epi32(_mm512_and_si512(bits, _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x00400000));
}

AXC_QUANT512 static inline __m256i axc_nearest8(__m256 v) {
    __m256i bits = _mm256_castps_si256(_mm256_add_ps(v, _mm256_set1_ps(12582912.f)));
    return _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
}

AXC_QUANT512 static inline uint16_t axc_f16(float v) {
    return _cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT);
}

AXC_QUANT512 static inline float axc_f16_value(const uint8_t* p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// ---- Q6_K: {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}, 16 sub-blocks of 16 ----

/** clamp(nearest_int(iscale * x), -32, 31) per lane. */
AXC_QUANT512 static inline __m512i axc_q6k_codes(__m512 iscale, __m512 x) {
    __m512i l = axc_nearest16(_mm512_mul_ps(iscale, x));
    return _mm512_min_epi32(_mm512_max_epi32(l, _mm512_set1_epi32(-32)), _mm512_set1_epi32(31));
}

/** Sums of one Q6_K trial over the 16 values of every lane: sum w*x*l and sum w*l*l. */
AXC_QUANT512 static inline void axc_q6k_sums(const __m512* x, const __m512* w, const __m512* wx, __m512 iscale,
                                             __m512* sumlx, __m512* suml2) {
    __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps();
    for (int i = 0; i < 16; i++) {
        __m512 lf = _mm512_cvtepi32_ps(axc_q6k_codes(iscale, x[i]));
        a = _mm512_add_ps(a, _mm512_mul_ps(wx[i], lf));
        b = _mm512_add_ps(b, _mm512_mul_ps(_mm512_mul_ps(w[i], lf), lf));
    }
    *sumlx = a;
    *suml2 = b;
}

/**
 * make_qx_quants(16, 32, x, L, rmse_type 1) for the 16 sub-blocks of a super-block at once, sub-block j
 * in lane j: each one's scale into scales[j], its codes (0..63) into L[16j..16j+16).
 */
AXC_QUANT512 static void axc_q6k_search(const float* x, float* scales, int* L) {
    const __m512i idx = _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240);
    const __m512i offset = _mm512_set1_epi32(32);
    __m512 xv[16], w[16], wx[16];
    __m512i codes[16];
    __m512 amax = _mm512_setzero_ps(), max = _mm512_setzero_ps();
    for (int i = 0; i < 16; i++) {
        xv[i] = _mm512_i32gather_ps(idx, x + i, 4);
        __m512 ax = _mm512_abs_ps(xv[i]);
        __mmask16 bigger = _mm512_cmp_ps_mask(ax, amax, _CMP_GT_OQ);
        amax = _mm512_mask_mov_ps(amax, bigger, ax);
        max = _mm512_mask_mov_ps(max, bigger, xv[i]);
    }
    __m512 iscale = _mm512_div_ps(_mm512_set1_ps(-32.f), max);
    __m512 sumlx = _mm512_setzero_ps(), suml2 = _mm512_setzero_ps();
    for (int i = 0; i < 16; i++) {
        __m512i l = axc_q6k_codes(iscale, xv[i]);
        codes[i] = _mm512_add_epi32(l, offset);
        __m512 lf = _mm512_cvtepi32_ps(l);
        w[i] = _mm512_mul_ps(xv[i], xv[i]);
        wx[i] = _mm512_mul_ps(w[i], xv[i]);
        sumlx = _mm512_add_ps(sumlx, _mm512_mul_ps(wx[i], lf));
        suml2 = _mm512_add_ps(suml2, _mm512_mul_ps(_mm512_mul_ps(w[i], lf), lf));
    }
    __m512 scale = _mm512_mask_mov_ps(_mm512_div_ps(sumlx, suml2), _mm512_cmp_ps_mask(suml2, _mm512_setzero_ps(), _CMP_EQ_OQ),
                                      _mm512_setzero_ps());
    __m512 best = _mm512_mul_ps(scale, sumlx);
    for (int is = -9; is <= 9; is++) {
        if (is == 0) continue;
        iscale = _mm512_div_ps(_mm512_set1_ps(-(32 + 0.1f * (float)is)), max);
        axc_q6k_sums(xv, w, wx, iscale, &sumlx, &suml2);
        __mmask16 better = _mm512_cmp_ps_mask(suml2, _mm512_setzero_ps(), _CMP_GT_OQ)
                           & _mm512_cmp_ps_mask(_mm512_mul_ps(sumlx, sumlx), _mm512_mul_ps(best, suml2), _CMP_GT_OQ);
        if (better == 0) continue;
        for (int i = 0; i < 16; i++) codes[i] = _mm512_mask_mov_epi32(codes[i], better, _mm512_add_epi32(axc_q6k_codes(iscale, xv[i]), offset));
        scale = _mm512_mask_mov_ps(scale, better, _mm512_div_ps(sumlx, suml2));
        best = _mm512_mask_mov_ps(best, better, _mm512_mul_ps(scale, sumlx));
    }
    // A sub-block below GROUP_MAX_EPS is all zero: scale 0, codes 0.
    __mmask16 zero = _mm512_cmp_ps_mask(amax, _mm512_set1_ps(1e-15f), _CMP_LT_OQ);
    _mm512_storeu_ps(scales, _mm512_mask_mov_ps(scale, zero, _mm512_setzero_ps()));
    int t[256];
    for (int i = 0; i < 16; i++) _mm512_storeu_si512(t + 16 * i, _mm512_mask_mov_epi32(codes[i], zero, _mm512_setzero_si512()));
    for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) L[16 * j + i] = t[16 * i + j];
    }
}

/** One Q6_K super-block of x into y (210 bytes), its error lanes into e and s when err is set. */
AXC_QUANT512 static void axc_quant_q6_k_block(const float* x, uint8_t* y, int err, __m512* e, __m512* s) {
    float scales[16];
    int L[256];
    int8_t sc[16];
    axc_q6k_search(x, scales, L);
    float maxScale = 0, maxAbsScale = 0;
    for (int g = 0; g < 16; g++) {
        float a = fabsf(scales[g]);
        if (a > maxAbsScale) {
            maxAbsScale = a;
            maxScale = scales[g];
        }
    }
    if (maxAbsScale < 1e-15f) {
        memset(y, 0, 210);
        // Read back: d = 0, so every value is 0 * (0 - 32).
        for (int g = 0; err && g < 16; g++) axc_quant_err16(_mm512_set1_ps(-0.0f), _mm512_loadu_ps(x + 16 * g), e, s);
        return;
    }
    float iscale = -128.f / maxScale;
    uint16_t h = axc_f16(1 / iscale);
    memcpy(y + 208, &h, 2);
    float d = _cvtsh_ss(h);
    for (int g = 0; g < 16; g++) {
        int v = axc_nearest_int(iscale * scales[g]);
        sc[g] = (int8_t)(v < 127 ? v : 127);
        y[192 + g] = (uint8_t)sc[g];
    }
    for (int g = 0; g < 16; g++) {
        float dl = d * (float)sc[g];
        if (dl == 0) continue;
        __m512i l = axc_q6k_codes(_mm512_set1_ps(1.0f), _mm512_div_ps(_mm512_loadu_ps(x + 16 * g), _mm512_set1_ps(dl)));
        _mm512_storeu_si512(L + 16 * g, _mm512_add_epi32(l, _mm512_set1_epi32(32)));
    }
    for (int j = 0; j < 256; j += 128) {
        uint8_t* ql = y + j / 2;
        uint8_t* qh = y + 128 + j / 4;
        for (int l = 0; l < 32; l++) {
            int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
            ql[l] = (uint8_t)((q1 & 0xF) | ((q3 & 0xF) << 4));
            ql[l + 32] = (uint8_t)((q2 & 0xF) | ((q4 & 0xF) << 4));
            qh[l] = (uint8_t)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
        }
    }
    for (int g = 0; err && g < 16; g++) {
        __m512 dl = _mm512_set1_ps(d * (float)sc[g]);
        __m512 q = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_loadu_si512(L + 16 * g), _mm512_set1_epi32(32)));
        axc_quant_err16(_mm512_mul_ps(dl, q), _mm512_loadu_ps(x + 16 * g), e, s);
    }
}

// ---- Q4_K and Q5_K: {f16 d, dmin; u8 scales[12]; [u8 qh[32];] u8 qs[128]}, 8 groups of 32 ----

/** clamp(nearest_int(iscale * v), 0, nmax) per lane. */
AXC_QUANT512 static inline __m256i axc_qkx2_codes(__m256 iscale, __m256 v, __m256i top) {
    __m256i l = axc_nearest8(_mm256_mul_ps(iscale, v));
    return _mm256_min_epi32(_mm256_max_epi32(l, _mm256_setzero_si256()), top);
}

/** The weighted squared error of codes l at scale and min: sum w * (scale*l + min - x)^2. */
AXC_QUANT512 static inline __m256 axc_qkx2_error(const __m256* x, const __m256* w, const __m256i* l, __m256 scale, __m256 min) {
    __m256 err = _mm256_setzero_ps();
    for (int i = 0; i < 32; i++) {
        __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(scale, _mm256_cvtepi32_ps(l[i])), min), x[i]);
        err = _mm256_add_ps(err, _mm256_mul_ps(w[i], _mm256_mul_ps(diff, diff)));
    }
    return err;
}

/**
 * Q4_K's and Q5_K's group search for the 8 groups of a super-block at once, group j in lane j: weights
 * av_x + |x| (av_x the group's RMS), then make_qkx2_quants with trial scales
 * (rmin + rdelta * is + nmax) / (max - min), is = 0..nstep (nstep >= 1). Each group's scale goes to
 * scales[j], its min (negated, as make_qkx2_quants hands it out) to mins[j], its codes to L[32j..).
 */
AXC_QUANT512 static void axc_qkx2_search(const float* x, int nmax, float rmin, float rdelta, int nstep,
                                         float* scales, float* mins, int* L) {
    const __m256i idx = _mm256_setr_epi32(0, 32, 64, 96, 128, 160, 192, 224);
    const __m256i top = _mm256_set1_epi32(nmax);
    const __m256 zero = _mm256_setzero_ps();
    __m256 xv[32], w[32];
    __m256i best[32], trial[32];
    __m256 sumX2 = zero;
    for (int i = 0; i < 32; i++) {
        xv[i] = _mm256_i32gather_ps(x + i, idx, 4);
        sumX2 = _mm256_add_ps(sumX2, _mm256_mul_ps(xv[i], xv[i]));
    }
    __m256 avX = _mm256_sqrt_ps(_mm256_div_ps(sumX2, _mm256_set1_ps(32.f)));
    for (int i = 0; i < 32; i++) w[i] = _mm256_add_ps(avX, _mm256_andnot_ps(_mm256_set1_ps(-0.0f), xv[i]));
    __m256 min = xv[0], max = xv[0], sumW = w[0], sumX = _mm256_mul_ps(w[0], xv[0]);
    for (int i = 1; i < 32; i++) {
        min = _mm256_mask_mov_ps(min, _mm256_cmp_ps_mask(xv[i], min, _CMP_LT_OQ), xv[i]);
        max = _mm256_mask_mov_ps(max, _mm256_cmp_ps_mask(xv[i], max, _CMP_GT_OQ), xv[i]);
        sumW = _mm256_add_ps(sumW, w[i]);
        sumX = _mm256_add_ps(sumX, _mm256_mul_ps(w[i], xv[i]));
    }
    min = _mm256_mask_mov_ps(min, _mm256_cmp_ps_mask(min, zero, _CMP_GT_OQ), zero);
    __mmask8 flat = _mm256_cmp_ps_mask(max, min, _CMP_EQ_OQ);
    // The plain rounding at scale (max - min) / nmax.
    __m256 iscale = _mm256_div_ps(_mm256_set1_ps((float)nmax), _mm256_sub_ps(max, min));
    __m256 scale = _mm256_div_ps(_mm256_set1_ps(1.f), iscale);
    for (int i = 0; i < 32; i++) best[i] = axc_qkx2_codes(iscale, _mm256_sub_ps(xv[i], min), top);
    __m256 bestError = axc_qkx2_error(xv, w, best, scale, min);
    for (int is = 0; is <= nstep; is++) {
        // The range uses the best min so far, as the scalar search's does.
        iscale = _mm256_div_ps(_mm256_set1_ps(rmin + rdelta * (float)is + (float)nmax), _mm256_sub_ps(max, min));
        __m256 sumL = zero, sumL2 = zero, sumXl = zero;
        for (int i = 0; i < 32; i++) {
            trial[i] = axc_qkx2_codes(iscale, _mm256_sub_ps(xv[i], min), top);
            __m256 lf = _mm256_cvtepi32_ps(trial[i]);
            __m256 wl = _mm256_mul_ps(w[i], lf);
            sumL = _mm256_add_ps(sumL, wl);
            sumL2 = _mm256_add_ps(sumL2, _mm256_mul_ps(wl, lf));
            sumXl = _mm256_add_ps(sumXl, _mm256_mul_ps(wl, xv[i]));
        }
        __m256 D = _mm256_sub_ps(_mm256_mul_ps(sumW, sumL2), _mm256_mul_ps(sumL, sumL));
        __mmask8 solvable = _mm256_cmp_ps_mask(D, zero, _CMP_GT_OQ);
        if (solvable == 0) continue;
        __m256 thisScale = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sumW, sumXl), _mm256_mul_ps(sumX, sumL)), D);
        __m256 thisMin = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sumL2, sumX), _mm256_mul_ps(sumL, sumXl)), D);
        __mmask8 positive = _mm256_cmp_ps_mask(thisMin, zero, _CMP_GT_OQ);
        thisMin = _mm256_mask_mov_ps(thisMin, positive, zero);
        thisScale = _mm256_mask_mov_ps(thisScale, positive, _mm256_div_ps(sumXl, sumL2));
        __m256 error = axc_qkx2_error(xv, w, trial, thisScale, thisMin);
        __mmask8 better = solvable & _mm256_cmp_ps_mask(error, bestError, _CMP_LT_OQ);
        if (better == 0) continue;
        for (int i = 0; i < 32; i++) best[i] = _mm256_mask_mov_epi32(best[i], better, trial[i]);
        bestError = _mm256_mask_mov_ps(bestError, better, error);
        scale = _mm256_mask_mov_ps(scale, better, thisScale);
        min = _mm256_mask_mov_ps(min, better, thisMin);
    }
    // A flat group (max == min) keeps codes 0, scale 0 and its min.
    _mm256_storeu_ps(scales, _mm256_mask_mov_ps(scale, flat, zero));
    _mm256_storeu_ps(mins, _mm256_xor_ps(min, _mm256_set1_ps(-0.0f)));
    int t[256];
    for (int i = 0; i < 32; i++) _mm256_storeu_si256((__m256i*)(t + 8 * i), _mm256_mask_mov_epi32(best[i], flat, _mm256_setzero_si256()));
    for (int j = 0; j < 8; j++) {
        for (int i = 0; i < 32; i++) L[32 * j + i] = t[8 * i + j];
    }
}

/** ggml's get_scale_min_k4: group g's six-bit scale and min from the 12 packed bytes q. */
static inline void axc_scale_min_k4(int g, const uint8_t* q, int* sc, int* m) {
    if (g < 4) {
        *sc = q[g] & 63;
        *m = q[g + 4] & 63;
    } else {
        *sc = (q[g + 4] & 0xF) | ((q[g - 4] >> 6) << 4);
        *m = (q[g + 4] >> 4) | ((q[g] >> 6) << 4);
    }
}

/**
 * One Q4_K (nmax 15) or Q5_K (nmax 31) super-block of x into y, its error lanes into e and s when err
 * is set: the search, the six-bit scales and mins against the largest of each, then every group's
 * codes again against its stored scale and min.
 */
AXC_QUANT512 static void axc_quant_qk_block(const float* x, uint8_t* y, int nmax, int err, __m512* e, __m512* s) {
    float scales[8], mins[8];
    int L[256];
    if (nmax == 15) axc_qkx2_search(x, 15, -1.f, 0.1f, 20, scales, mins, L);
    else axc_qkx2_search(x, 31, -0.5f, 0.1f, 15, scales, mins, L);
    float maxScale = 0, maxMin = 0;
    for (int j = 0; j < 8; j++) {
        if (scales[j] > maxScale) maxScale = scales[j];
        if (mins[j] > maxMin) maxMin = mins[j];
    }
    float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    int q[12] = {0};
    for (int j = 0; j < 8; j++) {
        int ls = axc_nearest_int(invScale * scales[j]) & 0xFF;
        int lm = axc_nearest_int(invMin * mins[j]) & 0xFF;
        if (ls > 63) ls = 63;
        if (lm > 63) lm = 63;
        if (j < 4) {
            q[j] = ls;
            q[j + 4] = lm;
        } else {
            q[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
            q[j - 4] |= (ls >> 4) << 6;
            q[j] |= (lm >> 4) << 6;
        }
    }
    for (int j = 0; j < 12; j++) y[4 + j] = (uint8_t)q[j];
    uint16_t hd = axc_f16(maxScale / 63.f), hm = axc_f16(maxMin / 63.f);
    memcpy(y, &hd, 2);
    memcpy(y + 2, &hm, 2);
    float d = _cvtsh_ss(hd), dmin = _cvtsh_ss(hm);
    float dl[8], ml[8];
    for (int g = 0; g < 8; g++) {
        int sc, m;
        axc_scale_min_k4(g, y + 4, &sc, &m);
        dl[g] = d * (float)sc;
        ml[g] = dmin * (float)m;
        if (dl[g] == 0) continue;
        __m512 vdl = _mm512_set1_ps(dl[g]), vdm = _mm512_set1_ps(ml[g]);
        for (int h = 0; h < 32; h += 16) {
            __m512i l = axc_nearest16(_mm512_div_ps(_mm512_add_ps(_mm512_loadu_ps(x + 32 * g + h), vdm), vdl));
            l = _mm512_min_epi32(_mm512_max_epi32(l, _mm512_setzero_si512()), _mm512_set1_epi32(nmax));
            _mm512_storeu_si512(L + 32 * g + h, l);
        }
    }
    uint8_t* qs = y + (nmax == 15 ? 16 : 48);
    if (nmax == 31) {
        for (int j = 0; j < 32; j++) {
            int hb = 0;
            for (int g = 0; g < 8; g++) hb |= (L[32 * g + j] >> 4) << g;
            y[16 + j] = (uint8_t)hb;
        }
    }
    for (int j = 0; j < 256; j += 64) {
        for (int l = 0; l < 32; l++) qs[j / 2 + l] = (uint8_t)((L[j + l] & 0xF) | ((L[j + l + 32] & 0xF) << 4));
    }
    for (int g = 0; err && g < 8; g++) {
        __m512 vdl = _mm512_set1_ps(dl[g]), vml = _mm512_set1_ps(ml[g]);
        for (int h = 0; h < 32; h += 16) {
            __m512 lq = _mm512_cvtepi32_ps(_mm512_loadu_si512(L + 32 * g + h));
            axc_quant_err16(_mm512_sub_ps(_mm512_mul_ps(vdl, lq), vml), _mm512_loadu_ps(x + 32 * g + h), e, s);
        }
    }
}

/** A row of whole super-blocks to Q4_K, Q5_K or Q6_K; with err set, its squared error and squared norm. */
AXC_QUANT512 static void axc_quant_k_row(int dt, const float* x, uint8_t* y, int cols, double* err) {
    __m512 e = _mm512_setzero_ps(), s = _mm512_setzero_ps();
    int bytes = dt == AXC_Q6_K ? 210 : dt == AXC_Q5_K ? 176 : 144;
    for (int b = 0; b < cols / 256; b++, x += 256, y += bytes) {
        if (dt == AXC_Q6_K) axc_quant_q6_k_block(x, y, err != NULL, &e, &s);
        else axc_quant_qk_block(x, y, dt == AXC_Q5_K ? 31 : 15, err != NULL, &e, &s);
    }
    if (err != NULL) {
        err[0] = axc_quant_lane_sum(e);
        err[1] = axc_quant_lane_sum(s);
    }
}

#endif
