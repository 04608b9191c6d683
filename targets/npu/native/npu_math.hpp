// The arithmetic whose bits the Java mirror (axc.target.npu.NpuSemantics) reproduces: float32 in a
// fixed order, exp by a fixed range reduction and polynomial, rint for quantization, f16 conversion.
// Compiled with -ffp-contract=off and no fast-math (and the pragma below for the JNI build), so no
// multiply-add is fused behind our back.
#pragma once
#pragma GCC optimize("fp-contract=off")
#include <cmath>
#include <cstdint>
#include <cstring>

namespace npu {

inline float bits_f(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t f_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

/** e^x in float32: k = rint(x·log2e), r = x − k·ln2 (two parts), a degree-6 polynomial in r, scaled by 2^k. */
inline float npu_exp(float x) {
    if (std::isnan(x)) return x;
    if (x > 88.5f) return INFINITY;
    if (x < -103.5f) return 0.0f;
    const float log2e = 1.44269504f, ln2_hi = 0.693145752f, ln2_lo = 1.42860677e-06f;
    float k = std::rint(x * log2e);
    float r = (x - k * ln2_hi) - k * ln2_lo;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return std::ldexp(p, static_cast<int>(k));
}

inline float npu_silu(float x) { return x / (1.0f + npu_exp(-x)); }

/** clamp(rint(v), -128, 127): the quantizer's rounding (ties to even). */
inline int8_t npu_q8(float v) {
    float r = std::rint(v);
    if (!(r >= -128.0f)) return -128;  // NaN too
    if (r > 127.0f) return 127;
    return static_cast<int8_t>(r);
}

inline float f16_to_f32(uint16_t h) {
    uint32_t s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1F, m = h & 0x3FF;
    if (e == 0) {
        if (m == 0) return bits_f(s);
        float f = static_cast<float>(m) * 5.9604644775390625e-08f;  // m · 2^-24, exact
        return s ? -f : f;
    }
    if (e == 31) return bits_f(s | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0));
    return bits_f(s | ((e + 112) << 23) | (m << 13));
}

/** float32 to IEEE half, round to nearest even (as Java's Float.floatToFloat16). */
inline uint16_t f32_to_f16(float f) {
    uint32_t x = f_bits(f);
    uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    uint32_t abs = x & 0x7FFFFFFFu;
    if (abs >= 0x7F800000u) return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u | ((abs >> 13) & 0x3FFu) : 0));
    if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504
    if (abs < 0x38800000u) {  // result subnormal (or zero): scale by 2^24 and round to an integer
        float a = bits_f(abs) * 16777216.0f;
        return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(a)));
    }
    uint32_t mant = abs & 0x7FFFFFu, exp = (abs >> 23) - 112;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
    return static_cast<uint16_t>(sign | h);
}

}  // namespace npu
