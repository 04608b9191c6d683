// axc CUDA kernel templates. The compiler specialises these per model (weight format, row length,
// head size are template arguments, so loops unroll and addresses fold) and emits one extern "C"
// entry point per specialisation (see KernelSource.java). Semantics follow axc.interp: float32
// values, double where the interpreter accumulates in double (RMSNorm), the same RoPE angles.
//
// Weight layouts (CudaLayouts.java): F32/F16/BF16 rows as stored; Q8_0 and Q4_0 in "cuda-rows-v1":
// the codes of all rows first (row r at r*K bytes for Q8_0, r*K/2 for Q4_0, Q4_0's nibbles as in
// GGUF: byte j of a block holds element j low and j+16 high), then the f16 scales of all rows (row r
// at r*K/32), so every 16-byte code load is aligned and coalesced across a warp.
#pragma once
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <mma.h>
#include <stdint.h>
#include <type_traits>

namespace axc {

enum Fmt { F32 = 0, F16 = 1, BF16 = 2, Q8_0 = 3, Q4_0 = 4 };

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ float silu(float x) {
    return (float) ((double) x / (1.0 + exp(-(double) x)));
}

// Elements one 16-byte load of a row covers, per format.
template <int FMT> struct Chunk { static constexpr int N = FMT == F32 ? 4 : FMT == Q4_0 ? 32 : FMT == Q8_0 ? 16 : 8; };

// Bytes of codes per row (the scales of Q8_0/Q4_0 follow all rows' codes).
template <int FMT, int K> struct RowBytes {
    static constexpr long long V = FMT == F32 ? 4LL * K : FMT == Q8_0 ? (long long) K : FMT == Q4_0 ? K / 2 : 2LL * K;
};

__device__ __forceinline__ float4 ld4(const float* p) { return __ldg(reinterpret_cast<const float4*>(p)); }

// Dot product of x (K floats) with chunk c of row r (c counts 16-byte loads), and the chunk's values
// when `out` is not null (the embedding gather uses it).
// With `g` set, x is normalized on the way in: g * (x * inv), as rms_norm writes it.
template <int FMT, int K>
__device__ __forceinline__ float chunk_dot(const uint8_t* __restrict__ w, long long N, long long r, int c,
                                           const float* __restrict__ x, float* out,
                                           const float* __restrict__ g = nullptr, float inv = 0.f) {
    const uint4 raw = __ldg(reinterpret_cast<const uint4*>(w + r * RowBytes<FMT, K>::V) + c);
    float v[Chunk<FMT>::N];
    if constexpr (FMT == F32) {
        v[0] = __uint_as_float(raw.x); v[1] = __uint_as_float(raw.y); v[2] = __uint_as_float(raw.z); v[3] = __uint_as_float(raw.w);
    } else if constexpr (FMT == F16 || FMT == BF16) {
        const uint32_t u[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            if constexpr (FMT == F16) {
                v[2 * i] = __half2float(__ushort_as_half((unsigned short) (u[i] & 0xffff)));
                v[2 * i + 1] = __half2float(__ushort_as_half((unsigned short) (u[i] >> 16)));
            } else {
                v[2 * i] = __uint_as_float(u[i] << 16);
                v[2 * i + 1] = __uint_as_float(u[i] & 0xffff0000u);
            }
        }
    } else {
        const half* scales = reinterpret_cast<const half*>(w + N * RowBytes<FMT, K>::V);
        const int block = FMT == Q8_0 ? c / 2 : c;
        const float d = __half2float(scales[r * (K / 32) + block]);
        const uint32_t u[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
        for (int i = 0; i < 16; i++) {
            const int byte = (int) ((u[i / 4] >> (8 * (i % 4))) & 0xff);
            if constexpr (FMT == Q8_0) {
                v[i] = d * (float) (int8_t) byte;
            } else {
                v[i] = d * (float) ((byte & 15) - 8);
                v[i + 16] = d * (float) ((byte >> 4) - 8);
            }
        }
    }
    if (out != nullptr) {
#pragma unroll
        for (int i = 0; i < Chunk<FMT>::N; i++) out[i] = v[i];
        return 0.f;
    }
    const float* xs = x + c * Chunk<FMT>::N;
    float acc = 0.f;
#pragma unroll
    for (int i = 0; i < Chunk<FMT>::N; i += 4) {
        float4 xv = ld4(xs + i);
        if (g != nullptr) {
            const float4 gv = ld4(g + c * Chunk<FMT>::N + i);
            xv = make_float4(gv.x * (xv.x * inv), gv.y * (xv.y * inv), gv.z * (xv.z * inv), gv.w * (xv.w * inv));
        }
        acc = fmaf(v[i], xv.x, acc);
        acc = fmaf(v[i + 1], xv.y, acc);
        acc = fmaf(v[i + 2], xv.z, acc);
        acc = fmaf(v[i + 3], xv.w, acc);
    }
    return acc;
}

// 1 / rms(x) of one row of K, the sum of squares in double as the interpreter takes it (rms_norm
// and the GEMVs that normalize on the way in share it, so their values are identical); every thread
// of the block must call it, and every one gets the result.
template <int K>
__device__ __forceinline__ float row_inv_rms(const float* __restrict__ x, double eps) {
    __shared__ double part[32];
    double ss = 0;
    for (int i = threadIdx.x; i < K; i += blockDim.x) ss += (double) x[i] * x[i];
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, o);
    if (threadIdx.x % 32 == 0) part[threadIdx.x / 32] = ss;
    __syncthreads();
    double t = 0;
    for (int i = 0; i < (int) blockDim.x / 32; i++) t += part[i];
    return (float) (1.0 / sqrt(t / K + eps));
}

// One warp per output feature: y[row, col0 + n] = x[row] . W[n] (+ bias[n]) (+ residual). Up to three
// weights of one format side by side (q, k and v: one launch), features 0..N0 from w0, then w1, then w2.
// With norm_g set, x is RMS-normalized on the way in (rms_norm_matmul, or an rms_norm whose only
// readers are GEMVs), so the decode step needs no separate norm launch.
// Grid: (ceil((N0 + N1 + N2) / warps), rows). The decode step's hot kernel: it streams each weight byte once.
template <int FMT, int K>
__device__ void gemv(const uint8_t* __restrict__ w0, int N0, const uint8_t* __restrict__ w1, int N1,
                     const uint8_t* __restrict__ w2, int N2, const float* __restrict__ x, float* __restrict__ y,
                     int ldy, int col0, const float* __restrict__ residual, const float* __restrict__ bias,
                     const float* __restrict__ norm_g, double eps) {
    const int warps = blockDim.x / 32;
    const int lane = threadIdx.x % 32;
    const int row = blockIdx.y;
    const float* xr = x + (long long) row * K;
    const float inv = norm_g != nullptr ? row_inv_rms<K>(xr, eps) : 0.f;
    const int n = blockIdx.x * warps + threadIdx.x / 32;
    if (n >= N0 + N1 + N2) return;
    const uint8_t* w = n < N0 ? w0 : n < N0 + N1 ? w1 : w2;
    const int N = n < N0 ? N0 : n < N0 + N1 ? N1 : N2;
    const int r = n < N0 ? n : n < N0 + N1 ? n - N0 : n - N0 - N1;
    constexpr int CHUNKS = K / Chunk<FMT>::N;
    float acc = 0.f;
    // Two loops rather than a test per chunk: one body with both cases spills a register on sm_80.
    if (norm_g != nullptr) {
#pragma unroll 4
        for (int c = lane; c < CHUNKS; c += 32) acc += chunk_dot<FMT, K>(w, N, r, c, xr, nullptr, norm_g, inv);
    } else {
#pragma unroll 4
        for (int c = lane; c < CHUNKS; c += 32) acc += chunk_dot<FMT, K>(w, N, r, c, xr, nullptr);
    }
    acc = warp_sum(acc);
    if (lane == 0) {
        const long long at = (long long) row * ldy + col0 + n;
        float v = bias != nullptr ? acc + bias[n] : acc;
        y[at] = residual != nullptr ? v + residual[at] : v;
    }
}

// matmul_swiglu: y[row, n] = silu(x . Wg[n]) * (x . Wu[n]), x RMS-normalized first when norm_g is set.
template <int FMT, int K>
__device__ void gemv_swiglu(const uint8_t* __restrict__ wg, const uint8_t* __restrict__ wu, int N,
                            const float* __restrict__ x, float* __restrict__ y, const float* __restrict__ residual,
                            const float* __restrict__ norm_g, double eps) {
    const int warps = blockDim.x / 32;
    const int lane = threadIdx.x % 32;
    const int row = blockIdx.y;
    const float* xr = x + (long long) row * K;
    const float inv = norm_g != nullptr ? row_inv_rms<K>(xr, eps) : 0.f;
    const int n = blockIdx.x * warps + threadIdx.x / 32;
    if (n >= N) return;
    constexpr int CHUNKS = K / Chunk<FMT>::N;
    float g = 0.f, u = 0.f;
    if (norm_g != nullptr) {  // two loops, as in gemv
#pragma unroll 2
        for (int c = lane; c < CHUNKS; c += 32) {
            g += chunk_dot<FMT, K>(wg, N, n, c, xr, nullptr, norm_g, inv);
            u += chunk_dot<FMT, K>(wu, N, n, c, xr, nullptr, norm_g, inv);
        }
    } else {
#pragma unroll 2
        for (int c = lane; c < CHUNKS; c += 32) {
            g += chunk_dot<FMT, K>(wg, N, n, c, xr, nullptr);
            u += chunk_dot<FMT, K>(wu, N, n, c, xr, nullptr);
        }
    }
    g = warp_sum(g);
    u = warp_sum(u);
    if (lane == 0) {
        const long long at = (long long) row * N + n;
        const float v = silu(g) * u;
        y[at] = residual != nullptr ? v + residual[at] : v;
    }
}

// Prefill on tensor cores for F16/BF16 weights: a warp computes a 16x16 tile of y over K in 16-wide
// steps, activations rounded to the weight's 16-bit type on the way into shared memory, float
// accumulators. Grid: (ceil(N / 64), ceil(rows / 16)), 4 warps a block, one 16-column tile each;
// N must be a multiple of 16 (the planner picks this kernel only then).
template <int FMT, int K>
__device__ void gemm_mma(const uint8_t* __restrict__ w, int N, const float* __restrict__ x, int rows,
                         float* __restrict__ y, int ldy, int col0, const float* __restrict__ residual) {
    using namespace nvcuda;
    using T = typename std::conditional<FMT == F16, half, __nv_bfloat16>::type;
    __shared__ T a[16 * 16];
    __shared__ float out[4][16 * 16];
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int row0 = blockIdx.y * 16;
    const int n0 = (blockIdx.x * 4 + warp) * 16;
    const T* wt = reinterpret_cast<const T*>(w);
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    wmma::fill_fragment(acc, 0.f);
    for (int k = 0; k < K; k += 16) {
        for (int i = threadIdx.x; i < 256; i += blockDim.x) {
            const int r = row0 + i / 16;
            const float v = r < rows ? x[(long long) r * K + k + i % 16] : 0.f;
            if constexpr (FMT == F16) a[i] = __float2half_rn(v); else a[i] = __float2bfloat16_rn(v);
        }
        __syncthreads();
        if (n0 < N) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> fa;
            wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> fb;
            wmma::load_matrix_sync(fa, a, 16);
            // W is [N][K] row-major, which is B = W^T column-major with leading dimension K.
            wmma::load_matrix_sync(fb, wt + (long long) n0 * K + k, K);
            wmma::mma_sync(acc, fa, fb, acc);
        }
        __syncthreads();
    }
    if (n0 >= N) return;
    wmma::store_matrix_sync(out[warp], acc, 16, wmma::mem_row_major);
    __syncwarp();
    for (int i = lane; i < 256; i += 32) {
        const int r = row0 + i / 16, n = n0 + i % 16;
        if (r < rows && n < N) {
            const long long at = (long long) r * ldy + col0 + n;
            const float v = out[warp][i];
            y[at] = residual != nullptr ? v + residual[at] : v;
        }
    }
}

// Rows of a table gathered by token id. Grid: (rows), block: any; one thread per 16-byte chunk.
template <int FMT, int K>
__device__ void embedding(const uint8_t* __restrict__ table, int V, const int* __restrict__ ids, float* __restrict__ y) {
    const int row = blockIdx.x;
    const int id = ids[row];
    constexpr int CHUNKS = K / Chunk<FMT>::N;
    for (int c = threadIdx.x; c < CHUNKS; c += blockDim.x) {
        float v[Chunk<FMT>::N];
        chunk_dot<FMT, K>(table, V, id, c, nullptr, v);
        float* dst = y + (long long) row * K + c * Chunk<FMT>::N;
#pragma unroll
        for (int i = 0; i < Chunk<FMT>::N; i++) dst[i] = v[i];
    }
}

// x * rsqrt(mean(x^2) + eps) * g per row of N (or per head slice of N when heads > 1): the sum of
// squares in double, as the interpreter. Grid: (rows, heads), block: 256.
template <int N>
__device__ void rms_norm(const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ y, int width, double eps) {
    const float* xr = x + (long long) blockIdx.x * width + blockIdx.y * N;
    float* yr = y + (long long) blockIdx.x * width + blockIdx.y * N;
    const float inv = row_inv_rms<N>(xr, eps);
    for (int i = threadIdx.x; i < N; i += blockDim.x) yr[i] = g[i] * (xr[i] * inv);
}

// Rotate-half RoPE of the first heads*D features of each row, in place. inv_freq holds D/2 float32
// inverse frequencies computed on the host as the interpreter computes them. Grid: (rows), block: heads*D/2.
template <int D>
__device__ void rope(float* __restrict__ v, int width, int heads, const int* __restrict__ pos, const float* __restrict__ inv_freq) {
    const int row = blockIdx.x;
    for (int t = threadIdx.x; t < heads * (D / 2); t += blockDim.x) {
        const int h = t / (D / 2), i = t % (D / 2);
        const float angle = (float) pos[row] * inv_freq[i];
        const float c = (float) cos((double) angle), s = (float) sin((double) angle);
        float* base = v + (long long) row * width + h * D;
        const float x1 = base[i], x2 = base[i + D / 2];
        base[i] = x1 * c - x2 * s;
        base[i + D / 2] = x2 * c + x1 * s;
    }
}

// Writes each row's k and v into the layer's cache at its position. Grid: (rows), block: 256.
__device__ inline void kv_write(const float* __restrict__ k, const float* __restrict__ v, const int* __restrict__ pos,
                                float* __restrict__ kc, float* __restrict__ vc, int kv_dim) {
    const int row = blockIdx.x;
    const long long dst = (long long) pos[row] * kv_dim, src = (long long) row * kv_dim;
    for (int i = threadIdx.x; i < kv_dim; i += blockDim.x) {
        kc[dst + i] = k[src + i];
        vc[dst + i] = v[src + i];
    }
}

// Split-K ("flash decoding") causal attention, pass 1: block (head, row, split) attends the query to
// positions [split*CHUNK, min((split+1)*CHUNK, pos+1)) with a local max and sum, and leaves the
// partial result for pass 2. Grid: (heads, rows, splits), block: 128. Works for decode (rows = 1)
// and prefill alike: each row is causal at its own position.
template <int D, int CHUNK>
__device__ void attention_split(const float* __restrict__ q, const float* __restrict__ kc, const float* __restrict__ vc,
                                const int* __restrict__ pos, int heads, int kv_heads, float* __restrict__ part_acc,
                                float* __restrict__ part_ml, int splits) {
    __shared__ float qs[D];
    __shared__ float e[CHUNK];
    __shared__ float red[32];
    const int h = blockIdx.x, row = blockIdx.y, split = blockIdx.z;
    const int kvh = h / (heads / kv_heads);
    const int kv_dim = kv_heads * D;
    const int first = split * CHUNK;
    const int last = min(first + CHUNK, pos[row] + 1);
    const long long part = ((long long) row * heads + h) * splits + split;
    for (int i = threadIdx.x; i < D; i += blockDim.x) qs[i] = q[((long long) row * heads + h) * D + i];
    __syncthreads();
    const float scale = rsqrtf((float) D);
    float m = -INFINITY;
    for (int p = first + threadIdx.x; p < last; p += blockDim.x) {
        const float* kp = kc + (long long) p * kv_dim + kvh * D;
        float s = 0.f;
#pragma unroll 8
        for (int i = 0; i < D; i++) s = fmaf(qs[i], kp[i], s);
        s *= scale;
        e[p - first] = s;
        m = fmaxf(m, s);
    }
    m = warp_max(m);
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = m;
    __syncthreads();
    m = -INFINITY;
    for (int i = 0; i < (int) blockDim.x / 32; i++) m = fmaxf(m, red[i]);
    __syncthreads();
    float l = 0.f;
    for (int p = first + threadIdx.x; p < last; p += blockDim.x) {
        const float w = __expf(e[p - first] - m);
        e[p - first] = w;
        l += w;
    }
    l = warp_sum(l);
    __syncthreads();
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = l;
    __syncthreads();
    if (threadIdx.x == 0) {
        float t = 0.f;
        for (int i = 0; i < (int) blockDim.x / 32; i++) t += red[i];
        part_ml[2 * part] = last > first ? m : -INFINITY;
        part_ml[2 * part + 1] = last > first ? t : 0.f;
    }
    for (int i = threadIdx.x; i < D; i += blockDim.x) {
        float acc = 0.f;
        for (int p = first; p < last; p++) acc = fmaf(e[p - first], vc[(long long) p * kv_dim + kvh * D + i], acc);
        part_acc[part * D + i] = acc;
    }
}

// Pass 2: merges the splits of each (row, head). Grid: (heads, rows), block: D (at most 1024).
template <int D>
__device__ void attention_merge(const float* __restrict__ part_acc, const float* __restrict__ part_ml, int heads,
                                int splits, const int* __restrict__ pos, int chunk, float* __restrict__ out) {
    const int h = blockIdx.x, row = blockIdx.y;
    const int used = pos[row] / chunk + 1;
    const long long base = ((long long) row * heads + h) * splits;
    float m = -INFINITY;
    for (int s = 0; s < used; s++) m = fmaxf(m, part_ml[2 * (base + s)]);
    float l = 0.f, acc = 0.f;
    for (int s = 0; s < used; s++) {
        const float f = __expf(part_ml[2 * (base + s)] - m);
        l += f * part_ml[2 * (base + s) + 1];
        acc += f * part_acc[(base + s) * D + threadIdx.x];
    }
    out[((long long) row * heads + h) * D + threadIdx.x] = acc / l;
}

}  // namespace axc

// Writes each row's k and v into a layer's cache at its position. Grid: (rows), block: 256.
extern "C" __global__ void axc_kv_write(const float* k, const float* v, const int* pos, float* kc, float* vc, int kv_dim) {
    axc::kv_write(k, v, pos, kc, vc, kv_dim);
}

// Elementwise kernels need no specialisation: plain extern "C" entry points, grid-stride loops.
extern "C" __global__ void axc_add(const float* a, const float* b, float* y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) y[i] = a[i] + b[i];
}
extern "C" __global__ void axc_mul(const float* a, const float* b, float* y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) y[i] = a[i] * b[i];
}
extern "C" __global__ void axc_silu(const float* a, float* y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) y[i] = axc::silu(a[i]);
}
extern "C" __global__ void axc_swiglu(const float* g, const float* u, float* y, long long n) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) gridDim.x * blockDim.x) y[i] = axc::silu(g[i]) * u[i];
}
// The swiglu epilogue of a matmul: rows of 2n features [gate | up] to rows of n, silu(gate) * up.
extern "C" __global__ void axc_swiglu_rows(const float* y2, float* y, int n, long long total) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) {
        const long long r = i / n, j = i % n;
        y[i] = axc::silu(y2[r * 2 * n + j]) * y2[r * 2 * n + n + j];
    }
}
// y[r, i] = x[r, i] + b[i] for a row width of n.
extern "C" __global__ void axc_bias_add(const float* x, const float* b, float* y, int n, long long total) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) y[i] = x[i] + b[i % n];
}
// Features [start, start+size) of rows of width n.
extern "C" __global__ void axc_slice(const float* x, float* y, int n, int start, int size, long long total) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) {
        y[i] = x[(i / size) * n + start + i % size];
    }
}
// Rows of width `size` written into features [col0, col0+size) of rows of width n (matmul outputs side by side).
extern "C" __global__ void axc_place(const float* x, float* y, int n, int col0, int size, long long total) {
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < total; i += (long long) gridDim.x * blockDim.x) {
        y[(i / size) * n + col0 + i % size] = x[i];
    }
}
