// RNPU-A: functional execution of the command stream (NPU.md B2, B5), the event-driven cycle model
// (B4), the vector-clock race detector, reports and the Chrome trace, behind the C API of npu_sim.h.
#include "npu_sim.h"
#include "npu_device.hpp"
#include "npu_isa.hpp"
#include "npu_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace npu {

struct SimError : std::runtime_error {
    int code;
    SimError(int c, const std::string& m) : std::runtime_error(m), code(c) {}
};

/** A memory space of up to 2^48 bytes, allocated in 64 KiB pages on first touch (DRAM is 16 GiB). */
class Memory {
public:
    Memory(uint64_t size, std::string name) : size_(size), name_(std::move(name)) {}

    void check(uint64_t off, uint64_t n) const {
        if (off > size_ || n > size_ - off) {
            throw SimError(NPU_EMEMORY, name_ + ": bytes [" + std::to_string(off) + ", +" + std::to_string(n) + ") are outside its " + std::to_string(size_));
        }
    }

    void read(uint64_t off, void* dst, uint64_t n) {
        check(off, n);
        auto* d = static_cast<uint8_t*>(dst);
        while (n > 0) {
            uint64_t page = off / PAGE, in = off % PAGE, k = std::min(n, PAGE - in);
            auto it = pages_.find(page);
            if (it == pages_.end()) std::memset(d, 0, k);
            else std::memcpy(d, it->second.get() + in, k);
            d += k; off += k; n -= k;
        }
    }

    void write(uint64_t off, const void* src, uint64_t n) {
        check(off, n);
        high_ = std::max(high_, off + n);
        auto* s = static_cast<const uint8_t*>(src);
        while (n > 0) {
            uint64_t page = off / PAGE, in = off % PAGE, k = std::min(n, PAGE - in);
            auto& p = pages_[page];
            if (!p) {
                p.reset(new uint8_t[PAGE]);
                std::memset(p.get(), 0, PAGE);
            }
            std::memcpy(p.get() + in, s, k);
            s += k; off += k; n -= k;
        }
    }

    void touch(uint64_t off, uint64_t n) { high_ = std::max(high_, off + n); }
    uint64_t high_water() const { return high_; }
    void reset_high_water() { high_ = 0; }

private:
    static constexpr uint64_t PAGE = 64 * 1024;
    uint64_t size_;
    std::string name_;
    uint64_t high_ = 0;
    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
};

/** One memory access of an instruction, as an interval, for the race detector. */
struct Access {
    int space_id;  // 0 DRAM, 1 SHM, 2 + engine: SPM
    uint64_t lo, hi;
    bool write;
};

struct Machine {
    Device dev;
    Memory dram;
    Memory shm;
    std::vector<Memory> spm;
    int64_t regs[REGISTERS] = {0};
    Program prog;
    bool loaded = false;
    std::string error;
    std::string trace;
    std::string device_json;

    explicit Machine(const Device& d) : dev(d), dram(d.dram_bytes, "DRAM"), shm(d.shm_bytes, "SHM") {
        for (int e = 0; e < d.engines; e++) spm.emplace_back(d.spm_bytes, "SPM[" + std::to_string(e) + "]");
        device_json = d.json();
    }

    Memory& mem(uint64_t a) {
        switch (space_of(a)) {
            case DRAM: return dram;
            case SHM: return shm;
            case SPM: {
                int e = engine_of(a);
                if (e >= dev.engines) throw SimError(NPU_EMEMORY, "SPM of engine " + std::to_string(e) + " does not exist");
                return spm[e];
            }
        }
        throw SimError(NPU_EMEMORY, "address space " + std::to_string(static_cast<int>(space_of(a))) + " does not exist");
    }

    static int space_id(uint64_t a) { return space_of(a) == SPM ? 2 + engine_of(a) : static_cast<int>(space_of(a)); }

    template <typename T> std::vector<T> load(uint64_t a, uint64_t count) {
        std::vector<T> v(count);
        if (count > 0) mem(a).read(offset_of(a), v.data(), count * sizeof(T));
        return v;
    }

    template <typename T> void store(uint64_t a, const std::vector<T>& v) {
        if (!v.empty()) mem(a).write(offset_of(a), v.data(), v.size() * sizeof(T));
    }

    const Symbol& symbol(const char* name) const {
        for (auto& s : prog.symbols) if (s.name == name) return s;
        throw SimError(NPU_EARG, std::string("the program has no symbol \"") + name + "\"");
    }
};

// ---------------------------------------------------------------------------------------------------
// Functional semantics: executed when an instruction starts; returns what it touched and its cost inputs.

struct Effect {
    std::vector<Access> accesses;
    uint64_t dram_read = 0, dram_write = 0;  // burst-rounded
    int dram_class = 0;
    uint64_t macs = 0;
    double cycles = 1;        // fixed cost (non-DMA), or DMA's setup + latency
    double transfer = 0;      // DMA bytes moved at the shared rate
    double port_Bpc = 0;      // DMA port cap
    bool uses_dram = false;
};

static void add_access(Effect& ef, uint64_t a, uint64_t bytes, bool write) {
    if (bytes == 0) return;
    ef.accesses.push_back({Machine::space_id(a), offset_of(a), offset_of(a) + bytes, write});
}

static double port_of(const Device& d, uint64_t a) {
    switch (space_of(a)) {
        case DRAM: return d.dram_Bpc();
        case SHM: return d.shm_Bpc;
        default: return d.spm_Bpc;
    }
}

static void exec_dma(Machine& m, const Instr& in, Effect& ef) {
    uint64_t src = in.u64(16), dst = in.u64(24);
    uint32_t d0 = in.u16(32), d1 = std::max<uint16_t>(1, in.u16(34)), d2 = std::max<uint16_t>(1, in.u16(36));
    int64_t ss1 = in.i32(38), ss2 = in.i32(42), ds1 = in.i32(46), ds2 = in.i32(50);
    uint8_t reg = in.u8(54);
    int64_t rstride = in.i32(56);
    if (reg != NO_REG) {
        if (reg >= REGISTERS) throw SimError(NPU_EPROGRAM, "DMA names register " + std::to_string(reg));
        int64_t shift = m.regs[reg] * rstride;
        uint64_t& base = (in.flags & 1) ? dst : src;
        int64_t off = static_cast<int64_t>(offset_of(base)) + shift;
        if (off < 0) throw SimError(NPU_EMEMORY, "DMA address below 0 after the register offset");
        base = (base & ~((1ull << 48) - 1)) | static_cast<uint64_t>(off);
    }
    Memory& ms = m.mem(src);
    Memory& md = m.mem(dst);
    std::vector<uint8_t> buf(d0);
    uint64_t slo = UINT64_MAX, shi = 0, dlo = UINT64_MAX, dhi = 0;
    // Up to this many runs are recorded one by one for the race detector (engines writing interleaved
    // columns of one matrix do not conflict); past it, the bounding interval (conservative).
    const uint64_t exact_runs = 1024;
    bool exact = static_cast<uint64_t>(d1) * d2 <= exact_runs;
    for (uint32_t k = 0; k < d2; k++) {
        for (uint32_t j = 0; j < d1; j++) {
            int64_t so = static_cast<int64_t>(offset_of(src)) + k * ss2 + j * ss1;
            int64_t dof = static_cast<int64_t>(offset_of(dst)) + k * ds2 + j * ds1;
            if (so < 0 || dof < 0) throw SimError(NPU_EMEMORY, "DMA run starts below address 0");
            ms.read(static_cast<uint64_t>(so), buf.data(), d0);
            md.write(static_cast<uint64_t>(dof), buf.data(), d0);
            slo = std::min<uint64_t>(slo, so); shi = std::max<uint64_t>(shi, so + d0);
            dlo = std::min<uint64_t>(dlo, dof); dhi = std::max<uint64_t>(dhi, dof + d0);
            if (exact && d0 > 0) {
                ef.accesses.push_back({Machine::space_id(src), static_cast<uint64_t>(so), static_cast<uint64_t>(so) + d0, false});
                ef.accesses.push_back({Machine::space_id(dst), static_cast<uint64_t>(dof), static_cast<uint64_t>(dof) + d0, true});
            }
        }
    }
    if (d0 > 0 && !exact) {
        ef.accesses.push_back({Machine::space_id(src), slo, shi, false});
        ef.accesses.push_back({Machine::space_id(dst), dlo, dhi, true});
    }
    uint64_t burst = static_cast<uint64_t>(m.dev.dram_burst_B);
    uint64_t runs = static_cast<uint64_t>(d1) * d2, eff = (d0 + burst - 1) / burst * burst * runs;
    bool from_dram = space_of(src) == DRAM, to_dram = space_of(dst) == DRAM;
    uint64_t moved = (from_dram || to_dram) ? eff : static_cast<uint64_t>(d0) * runs;
    if (from_dram) ef.dram_read = eff;
    if (to_dram) ef.dram_write = eff;
    ef.dram_class = in.subop & 3;
    ef.uses_dram = from_dram || to_dram;
    ef.cycles = m.dev.dma_setup_cycles + (ef.uses_dram ? m.dev.dram_latency_ns * m.dev.clock_ghz : 0);
    ef.transfer = static_cast<double>(moved);
    ef.port_Bpc = std::min(port_of(m.dev, src), port_of(m.dev, dst));
}

static void exec_gemm(Machine& m, const Instr& in, Effect& ef) {
    uint64_t a = in.u64(16), b = in.u64(24), c = in.u64(32);
    uint32_t M = in.u16(40), N = in.u16(42), K = in.u16(44);
    bool acc = in.flags & 1, bt = in.flags & 2;
    int mode = in.subop;
    if (mode > GEMM_F16F16) throw SimError(NPU_EPROGRAM, "GEMM mode " + std::to_string(mode));
    if (mode == GEMM_I8I4 && K % 2 != 0) throw SimError(NPU_EPROGRAM, "an i8·i4 GEMM needs an even K, not " + std::to_string(K));
    uint64_t n_a = static_cast<uint64_t>(M) * K, n_b = static_cast<uint64_t>(K) * N, n_c = static_cast<uint64_t>(M) * N;
    if (mode == GEMM_F16F16) {
        auto A = m.load<uint16_t>(a, n_a), B = m.load<uint16_t>(b, n_b);
        std::vector<float> C = acc ? m.load<float>(c, n_c) : std::vector<float>(n_c, 0.0f);
        for (uint32_t i = 0; i < M; i++) {
            for (uint32_t j = 0; j < N; j++) {
                float s = C[static_cast<uint64_t>(i) * N + j];
                for (uint32_t k = 0; k < K; k++) {
                    uint16_t bv = bt ? B[static_cast<uint64_t>(j) * K + k] : B[static_cast<uint64_t>(k) * N + j];
                    s = s + f16_to_f32(A[static_cast<uint64_t>(i) * K + k]) * f16_to_f32(bv);  // product exact in f32
                }
                C[static_cast<uint64_t>(i) * N + j] = s;
            }
        }
        m.store(c, C);
        add_access(ef, a, n_a * 2, false); add_access(ef, b, n_b * 2, false); add_access(ef, c, n_c * 4, true);
        if (acc) add_access(ef, c, n_c * 4, false);
    } else {
        auto A = m.load<int8_t>(a, n_a);
        uint64_t b_bytes = mode == GEMM_I8I4 ? n_b / 2 : n_b;
        auto B = m.load<uint8_t>(b, b_bytes);
        std::vector<int32_t> C = acc ? m.load<int32_t>(c, n_c) : std::vector<int32_t>(n_c, 0);
        auto bval = [&](uint32_t k, uint32_t j) -> int32_t {
            if (mode == GEMM_I8I8) return static_cast<int8_t>(bt ? B[static_cast<uint64_t>(j) * K + k] : B[static_cast<uint64_t>(k) * N + j]);
            uint64_t byte = bt ? (static_cast<uint64_t>(j) * K + k) / 2 : static_cast<uint64_t>(k / 2) * N + j;
            int v = (k % 2 == 0) ? (B[byte] & 0xF) : (B[byte] >> 4);
            return (v ^ 8) - 8;  // signed nibble
        };
        for (uint32_t i = 0; i < M; i++) {
            for (uint32_t j = 0; j < N; j++) {
                int64_t s = C[static_cast<uint64_t>(i) * N + j];
                for (uint32_t k = 0; k < K; k++) s += static_cast<int64_t>(A[static_cast<uint64_t>(i) * K + k]) * bval(k, j);
                if (s > INT32_MAX || s < INT32_MIN) {
                    throw SimError(NPU_EOVERFLOW, "GEMM (tag " + std::to_string(in.tag) + ") output [" + std::to_string(i) + "," + std::to_string(j) + "] overflows int32");
                }
                C[static_cast<uint64_t>(i) * N + j] = static_cast<int32_t>(s);
            }
        }
        m.store(c, C);
        add_access(ef, a, n_a, false); add_access(ef, b, b_bytes, false); add_access(ef, c, n_c * 4, true);
        if (acc) add_access(ef, c, n_c * 4, false);
    }
    // Cycle model (B4): folds of the weight-stationary array, each max(M, weight load), plus fill/drain.
    const Device& d = m.dev;
    double fk = mode == GEMM_I8I4 ? d.tu_int4_factor : 1.0;
    double wbytes = mode == GEMM_I8I4 ? 0.5 : mode == GEMM_F16F16 ? 2.0 : 1.0;
    double folds = std::ceil(K / (d.tu_rows * fk)) * std::ceil(static_cast<double>(N) / d.tu_cols);
    double per = std::max<double>(M, d.tu_rows * fk * d.tu_cols * wbytes / d.tu_wload_Bpc);
    double t = folds * per + d.tu_rows + d.tu_cols;
    if (mode == GEMM_F16F16) t /= d.tu_fp16_factor;
    ef.cycles = t;
    ef.macs = static_cast<uint64_t>(M) * N * K;
}

static void exec_vop(Machine& m, const Instr& in, Effect& ef) {
    uint64_t a = in.u64(16), b = in.u64(24), d = in.u64(32), aux = in.u64(52);
    uint64_t n = in.u32(40), rows = std::max<uint32_t>(1, in.u32(44));
    float fp = in.f32(48);
    uint32_t ip = in.u32(60);
    uint64_t total = n * rows;
    if (total > (1ull << 32)) throw SimError(NPU_EPROGRAM, "VOP over " + std::to_string(total) + " elements");
    double sfu = 0;
    switch (in.subop) {
        case VOP_ADD: case VOP_MUL: {
            auto x = m.load<float>(a, total), y = m.load<float>(b, total);
            for (uint64_t i = 0; i < total; i++) x[i] = in.subop == VOP_ADD ? x[i] + y[i] : x[i] * y[i];
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, b, total * 4, false); add_access(ef, d, total * 4, true);
            break;
        }
        case VOP_CAST: {
            if (in.flags & 1) {  // f32 -> f16
                auto x = m.load<float>(a, total);
                std::vector<uint16_t> h(total);
                for (uint64_t i = 0; i < total; i++) h[i] = f32_to_f16(x[i]);
                m.store(d, h);
                add_access(ef, a, total * 4, false); add_access(ef, d, total * 2, true);
            } else {
                auto h = m.load<uint16_t>(a, total);
                std::vector<float> x(total);
                for (uint64_t i = 0; i < total; i++) x[i] = f16_to_f32(h[i]);
                m.store(d, x);
                add_access(ef, a, total * 2, false); add_access(ef, d, total * 4, true);
            }
            break;
        }
        case VOP_DEQUANT: {  // ((float) acc · row_scale[r]) · col_scale[j] (+ bias[j])
            auto x = m.load<int32_t>(a, total);
            auto rs = m.load<float>(b, rows);
            auto cs = m.load<float>(aux, n);
            std::vector<float> bias = (in.flags & 2) ? m.load<float>(aux + 4 * n, n) : std::vector<float>();
            std::vector<float> y(total);
            for (uint64_t r = 0; r < rows; r++) {
                for (uint64_t j = 0; j < n; j++) {
                    float v = (static_cast<float>(x[r * n + j]) * rs[r]) * cs[j];
                    if (!bias.empty()) v = v + bias[j];
                    y[r * n + j] = v;
                }
            }
            m.store(d, y);
            add_access(ef, a, total * 4, false); add_access(ef, b, rows * 4, false);
            add_access(ef, aux, n * 4 * (bias.empty() ? 1 : 2), false); add_access(ef, d, total * 4, true);
            break;
        }
        case VOP_QUANT: {  // per-row absmax: scale = absmax/127 out to b, q = clamp(rint(x · 127/absmax)); or static: inv = f
            auto x = m.load<float>(a, total);
            std::vector<int8_t> q(total);
            std::vector<float> scales(rows);
            for (uint64_t r = 0; r < rows; r++) {
                float inv = fp;
                if (!(in.flags & 1)) {
                    float amax = 0;
                    for (uint64_t j = 0; j < n; j++) amax = std::max(amax, std::fabs(x[r * n + j]));
                    scales[r] = amax / 127.0f;
                    inv = amax > 0 ? 127.0f / amax : 0.0f;
                }
                for (uint64_t j = 0; j < n; j++) q[r * n + j] = npu_q8(x[r * n + j] * inv);
            }
            m.store(d, q);
            add_access(ef, a, total * 4, false); add_access(ef, d, total, true);
            if (!(in.flags & 1)) { m.store(b, scales); add_access(ef, b, rows * 4, true); }
            break;
        }
        case VOP_REQUANT: {
            auto x = m.load<int32_t>(a, total);
            std::vector<int8_t> q(total);
            for (uint64_t i = 0; i < total; i++) q[i] = npu_q8(static_cast<float>(x[i]) * fp);
            m.store(d, q);
            add_access(ef, a, total * 4, false); add_access(ef, d, total, true);
            break;
        }
        case VOP_RMSNORM: {  // x · (1 / sqrt(Σx²/n + eps)) · w, the sum k-ascending in f32
            auto x = m.load<float>(a, total), w = m.load<float>(b, n);
            for (uint64_t r = 0; r < rows; r++) {
                float ss = 0;
                for (uint64_t j = 0; j < n; j++) ss = ss + x[r * n + j] * x[r * n + j];
                float inv = 1.0f / std::sqrt(ss / static_cast<float>(n) + fp);
                for (uint64_t j = 0; j < n; j++) x[r * n + j] = (x[r * n + j] * inv) * w[j];
            }
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, b, n * 4, false); add_access(ef, d, total * 4, true);
            sfu = static_cast<double>(rows);
            break;
        }
        case VOP_ROPE: {  // rotate-half per head of D = ip; cos then sin tables of rows × D/2 at aux
            uint32_t D = ip;
            if (D == 0 || D % 2 != 0 || n % D != 0) throw SimError(NPU_EPROGRAM, "rope head size " + std::to_string(D) + " for rows of " + std::to_string(n));
            auto x = m.load<float>(a, total);
            auto tab = m.load<float>(aux, rows * D);
            for (uint64_t r = 0; r < rows; r++) {
                for (uint64_t h = 0; h < n / D; h++) {
                    for (uint32_t i = 0; i < D / 2; i++) {
                        float c = tab[r * (D / 2) + i], s = tab[rows * (D / 2) + r * (D / 2) + i];
                        float x1 = x[r * n + h * D + i], x2 = x[r * n + h * D + D / 2 + i];
                        x[r * n + h * D + i] = x1 * c - x2 * s;
                        x[r * n + h * D + D / 2 + i] = x2 * c + x1 * s;
                    }
                }
            }
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, aux, rows * D * 4, false); add_access(ef, d, total * 4, true);
            break;
        }
        case VOP_SOFTMAX: {
            // Masked to the first `valid` entries of each row, the rest 0; max and sum out to b when set.
            // valid = ip (0: all), plus R[aux & 15] with SOFTMAX_REG_VALID, plus the row's index with
            // SOFTMAX_CAUSAL (a chunk of consecutive positions attending to the cache). With
            // SOFTMAX_SCALED each entry is first multiplied by f (attention's 1/sqrt(head_dim)).
            auto x = m.load<float>(a, total);
            int64_t base = ip;
            if (in.flags & SOFTMAX_REG_VALID) {
                uint64_t reg = aux & 15;
                base += m.regs[reg];
            }
            if (in.flags & SOFTMAX_SCALED) for (uint64_t i = 0; i < total; i++) x[i] = x[i] * fp;
            std::vector<float> ms(2 * rows);
            for (uint64_t r = 0; r < rows; r++) {
                int64_t want = base + ((in.flags & SOFTMAX_CAUSAL) ? static_cast<int64_t>(r) : 0);
                uint64_t valid = (ip == 0 && !(in.flags & (SOFTMAX_REG_VALID | SOFTMAX_CAUSAL))) ? n
                        : static_cast<uint64_t>(std::clamp<int64_t>(want, 0, static_cast<int64_t>(n)));
                float mx = -INFINITY;
                for (uint64_t j = 0; j < valid; j++) mx = std::max(mx, x[r * n + j]);
                float sum = 0;
                for (uint64_t j = 0; j < n; j++) {
                    float e = j < valid ? npu_exp(x[r * n + j] - mx) : 0.0f;
                    x[r * n + j] = e;
                    sum = sum + e;
                }
                for (uint64_t j = 0; j < n; j++) x[r * n + j] = sum > 0 ? x[r * n + j] / sum : 0.0f;
                ms[2 * r] = mx;
                ms[2 * r + 1] = sum;
            }
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, d, total * 4, true);
            if (b != 0) { m.store(b, ms); add_access(ef, b, rows * 8, true); }
            sfu = static_cast<double>(total);
            break;
        }
        case VOP_SILU_MUL: {
            auto x = m.load<float>(a, total), y = m.load<float>(b, total);
            for (uint64_t i = 0; i < total; i++) x[i] = npu_silu(x[i]) * y[i];
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, b, total * 4, false); add_access(ef, d, total * 4, true);
            sfu = static_cast<double>(total);
            break;
        }
        case VOP_REDUCE: {
            auto x = m.load<float>(a, total);
            std::vector<float> y(rows);
            for (uint64_t r = 0; r < rows; r++) {
                float s = 0;
                for (uint64_t j = 0; j < n; j++) s = s + x[r * n + j];
                y[r] = s;
            }
            m.store(d, y);
            add_access(ef, a, total * 4, false); add_access(ef, d, rows * 4, true);
            break;
        }
        case VOP_COPY: {
            auto x = m.load<uint32_t>(a, total);
            m.store(d, x);
            add_access(ef, a, total * 4, false); add_access(ef, d, total * 4, true);
            break;
        }
        default:
            throw SimError(NPU_EPROGRAM, "VOP sub-op " + std::to_string(in.subop));
    }
    const Device& dv = m.dev;
    double passes = dv.vop_passes.at(vop_name(in.subop));
    ef.cycles = std::max(16.0 + std::ceil(total * passes / dv.vu_lanes_fp32), std::ceil(sfu / dv.vu_sfu_per_cycle));
}

static void exec_sreg(Machine& m, const Instr& in, Effect& ef) {
    uint8_t r = in.u8(16);
    if (r >= REGISTERS) throw SimError(NPU_EPROGRAM, "SREG names register " + std::to_string(r));
    int64_t imm = in.i64(24);
    switch (in.subop) {
        case SREG_SET: m.regs[r] = imm; break;
        case SREG_ADD: m.regs[r] += imm; break;
        case SREG_LOAD: {
            uint64_t a = in.u64(32);
            m.regs[r] = m.load<int32_t>(a, 1)[0];
            add_access(ef, a, 4, false);
            break;
        }
        default: throw SimError(NPU_EPROGRAM, "SREG sub-op " + std::to_string(in.subop));
    }
}

/** Checks that the queue may run the op and that its operands sit where its engine can reach them. */
static void check_placement(const Device& d, const Instr& in) {
    int engines = d.engines;
    bool device_queue = in.queue >= engines * 5;
    int engine = device_queue ? -1 : in.queue / 5, kind = device_queue ? -1 : in.queue % 5;
    auto own_spm = [&](uint64_t a, const char* what) {
        if (space_of(a) != SPM || engine_of(a) != engine) {
            throw SimError(NPU_EPROGRAM, std::string(what) + " of a queue-" + std::to_string(in.queue) + " instruction (tag " + std::to_string(in.tag)
                                             + ") is not in its engine's SPM");
        }
    };
    switch (in.op) {
        case OP_DMA: {
            bool dma_queue = device_queue || kind == NPU_Q_NDMA_IN || kind == NPU_Q_NDMA_OUT;
            if (!dma_queue) throw SimError(NPU_EPROGRAM, "DMA on queue " + std::to_string(in.queue) + ", which is not a DMA queue");
            if (!device_queue) {
                for (uint64_t a : {in.u64(16), in.u64(24)}) {
                    if (space_of(a) == SPM && engine_of(a) != engine) throw SimError(NPU_EPROGRAM, "NDMA of engine " + std::to_string(engine) + " reaches another engine's SPM");
                }
            }
            break;
        }
        case OP_GEMM:
            if (kind != NPU_Q_TU) throw SimError(NPU_EPROGRAM, "GEMM on queue " + std::to_string(in.queue) + ", which is not a tensor unit");
            own_spm(in.u64(16), "A"); own_spm(in.u64(24), "B"); own_spm(in.u64(32), "C");
            break;
        case OP_VOP:
            if (kind != NPU_Q_VU) throw SimError(NPU_EPROGRAM, "VOP on queue " + std::to_string(in.queue) + ", which is not a vector unit");
            break;
        case OP_SREG: case OP_SYNC: break;
        default: throw SimError(NPU_EPROGRAM, "opcode " + std::to_string(in.op) + " on queue " + std::to_string(in.queue));
    }
    if (in.wait_sem != NO_SEM && in.wait_sem >= d.sync_semaphores) throw SimError(NPU_EPROGRAM, "wait on semaphore " + std::to_string(in.wait_sem) + " of " + std::to_string(d.sync_semaphores));
    if (in.signal_sem != NO_SEM && in.signal_sem >= d.sync_semaphores) throw SimError(NPU_EPROGRAM, "signal of semaphore " + std::to_string(in.signal_sem) + " of " + std::to_string(d.sync_semaphores));
}

// ---------------------------------------------------------------------------------------------------
// The scheduler: event-driven, in-order per queue, semaphores, DMA bandwidth shared among DRAM streams.

struct Running {
    int queue;
    size_t index;
    double start;
    double fixed_end;    // non-DMA: completion; DMA: end of setup + latency
    double remaining;    // DMA bytes still to move
    double rate = 0;
    Effect ef;
    std::vector<uint32_t> clock;  // vector clock at start
};

struct Scheduler {
    Machine& m;
    bool timed;
    int nq;
    std::vector<size_t> pc;
    std::vector<double> queue_free;
    std::vector<bool> busy;
    std::vector<double> wait_since;  // when the head instruction became ready to wait (queue free), -1 if not waiting
    std::vector<std::vector<double>> sem_times;       // time of each signal, per semaphore (values 1..)
    std::vector<std::vector<std::vector<uint32_t>>> sem_clocks;  // cumulative vector clock per value
    std::vector<std::vector<uint32_t>> qclock;
    std::vector<Running> running;
    struct Past {
        Access a;
        int queue;
        uint32_t epoch;
    };
    std::vector<Past> history;
    npu_stats st{};
    std::ostringstream trace;
    bool first_event = true;
    uint64_t dram_bytes = 0;

    Scheduler(Machine& mm, bool t) : m(mm), timed(t), nq(mm.dev.queues()) {
        pc.assign(nq, 0);
        queue_free.assign(nq, 0);
        busy.assign(nq, false);
        wait_since.assign(nq, -1);
        sem_times.assign(m.dev.sync_semaphores, {});
        sem_clocks.assign(m.dev.sync_semaphores, {});
        qclock.assign(nq, std::vector<uint32_t>(nq, 0));
        st.queues = nq;
    }

    /** When the head's wait is met (+ sync latency), or -1 if not yet known. */
    double ready_at(const Instr& in) const {
        if (in.wait_sem == NO_SEM || in.wait_value == 0) return 0;
        auto& t = sem_times[in.wait_sem];
        if (t.size() < in.wait_value) return -1;
        return t[in.wait_value - 1] + (timed ? m.dev.sync_latency_cycles : 0);
    }

    void check_races(const Effect& ef, int q, const std::vector<uint32_t>& clock, const Instr& in) {
        for (const Access& a : ef.accesses) {
            for (const Past& p : history) {
                if (p.queue == q || p.a.space_id != a.space_id || p.a.hi <= a.lo || a.hi <= p.a.lo || (!p.a.write && !a.write)) continue;
                if (clock[p.queue] >= p.epoch) continue;  // ordered before us
                throw SimError(NPU_ERACE, "race: queue " + std::to_string(q) + " (tag " + std::to_string(in.tag) + ") " + (a.write ? "writes" : "reads")
                                              + " bytes [" + std::to_string(a.lo) + ", " + std::to_string(a.hi) + ") of space " + std::to_string(a.space_id)
                                              + " that queue " + std::to_string(p.queue) + " " + (p.a.write ? "writes" : "reads") + " with no semaphore ordering them");
            }
        }
        uint32_t epoch = clock[q];
        for (const Access& a : ef.accesses) history.push_back({a, q, epoch});
    }

    void start(int q, double t) {
        const Instr& in = m.prog.queues[q][pc[q]];
        check_placement(m.dev, in);
        std::vector<uint32_t> clock = qclock[q];
        if (in.wait_sem != NO_SEM && in.wait_value > 0) {
            auto& c = sem_clocks[in.wait_sem][in.wait_value - 1];
            for (int i = 0; i < nq; i++) clock[i] = std::max(clock[i], c[i]);
        }
        clock[q]++;
        Running r;
        r.queue = q;
        r.index = pc[q];
        r.start = t;
        switch (in.op) {
            case OP_DMA: exec_dma(m, in, r.ef); break;
            case OP_GEMM: exec_gemm(m, in, r.ef); break;
            case OP_VOP: exec_vop(m, in, r.ef); break;
            case OP_SREG: exec_sreg(m, in, r.ef); break;
            default: break;
        }
        check_races(r.ef, q, clock, in);
        r.clock = clock;
        qclock[q] = clock;
        if (!timed) {
            r.ef.cycles = 1;
            r.ef.transfer = 0;
        }
        r.fixed_end = t + r.ef.cycles;
        r.remaining = in.op == OP_DMA ? r.ef.transfer : 0;
        if (wait_since[q] >= 0) st.stall[q] += t - wait_since[q];
        wait_since[q] = -1;
        busy[q] = true;
        st.instructions++;
        st.dram_read_bytes += r.ef.dram_read;
        st.dram_write_bytes += r.ef.dram_write;
        st.dram_class_bytes[r.ef.dram_class] += r.ef.dram_read + r.ef.dram_write;
        st.useful_macs += r.ef.macs;
        running.push_back(std::move(r));
    }

    void rates() {
        int dram_streams = 0;
        for (auto& r : running) if (r.remaining > 0 && r.ef.uses_dram) dram_streams++;
        for (auto& r : running) {
            if (r.remaining <= 0) continue;
            double rate = r.ef.port_Bpc;
            if (r.ef.uses_dram) rate = std::min(rate, m.dev.dram_Bpc() / dram_streams);
            r.rate = rate;
        }
    }

    double end_of(const Running& r, double now) const {
        if (r.remaining <= 0) return r.fixed_end;
        double from = std::max(now, r.fixed_end);
        return from + r.remaining / r.rate;
    }

    void finish(const Running& r, double t) {
        const Instr& in = m.prog.queues[r.queue][r.index];
        busy[r.queue] = false;
        queue_free[r.queue] = t;
        st.busy[r.queue] += t - r.start;
        pc[r.queue]++;
        if (in.signal_sem != NO_SEM) {
            auto& c = sem_clocks[in.signal_sem];
            std::vector<uint32_t> joined = c.empty() ? r.clock : c.back();
            for (int i = 0; i < nq; i++) joined[i] = std::max(joined[i], r.clock[i]);
            c.push_back(joined);
            sem_times[in.signal_sem].push_back(t);
        }
        if (timed) {
            char buf[320];
            std::snprintf(buf, sizeof buf, "%s{\"name\":\"%s\",\"ph\":\"X\",\"pid\":0,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"tag\":%u}}",
                          first_event ? "" : ",\n", name(in), r.queue, r.start / (m.dev.clock_ghz * 1000), (t - r.start) / (m.dev.clock_ghz * 1000), in.tag);
            trace << buf;
            first_event = false;
        }
    }

    static const char* name(const Instr& in) {
        switch (in.op) {
            case OP_DMA: return "DMA";
            case OP_GEMM: return in.subop == GEMM_I8I4 ? "GEMM i8xi4" : in.subop == GEMM_F16F16 ? "GEMM f16" : "GEMM i8";
            case OP_VOP: return vop_name(in.subop);
            case OP_SREG: return "SREG";
            default: return "SYNC";
        }
    }

    void run() {
        double now = 0;
        for (;;) {
            // Start everything that can start now.
            bool started = true;
            while (started) {
                started = false;
                for (int q = 0; q < nq; q++) {
                    if (busy[q] || pc[q] >= m.prog.queues[q].size()) continue;
                    const Instr& in = m.prog.queues[q][pc[q]];
                    double ready = ready_at(in);
                    double at = std::max(queue_free[q], ready);
                    if (ready >= 0 && at <= now) {
                        start(q, now);
                        started = true;
                    } else if (wait_since[q] < 0 && queue_free[q] <= now) {
                        wait_since[q] = queue_free[q];
                    }
                }
            }
            rates();
            if (running.empty()) {
                // Nothing runs: either done, or blocked on a wait met later (sync latency), or deadlocked.
                double next = -1;
                for (int q = 0; q < nq; q++) {
                    if (pc[q] >= m.prog.queues[q].size()) continue;
                    double ready = ready_at(m.prog.queues[q][pc[q]]);
                    if (ready >= 0) next = next < 0 ? std::max(ready, queue_free[q]) : std::min(next, std::max(ready, queue_free[q]));
                }
                if (next < 0) {
                    for (int q = 0; q < nq; q++) {
                        if (pc[q] < m.prog.queues[q].size()) {
                            const Instr& in = m.prog.queues[q][pc[q]];
                            throw SimError(NPU_EDEADLOCK, "deadlock: queue " + std::to_string(q) + " (tag " + std::to_string(in.tag) + ") waits for semaphore "
                                                              + std::to_string(in.wait_sem) + " >= " + std::to_string(in.wait_value) + ", which stays at "
                                                              + std::to_string(sem_times[in.wait_sem].size()));
                        }
                    }
                    break;  // all done
                }
                now = std::max(now, next);
                continue;
            }
            // Advance to the next completion (or the next wait that becomes due), moving DMA bytes.
            double next = INFINITY;
            for (auto& r : running) next = std::min(next, end_of(r, now));
            for (int q = 0; q < nq; q++) {
                if (busy[q] || pc[q] >= m.prog.queues[q].size()) continue;
                double ready = ready_at(m.prog.queues[q][pc[q]]);
                if (ready > now) next = std::min(next, std::max(ready, queue_free[q]));
            }
            for (auto& r : running) {
                if (r.remaining > 0) {
                    double from = std::max(now, r.fixed_end);
                    if (next > from) r.remaining -= (next - from) * r.rate;
                    if (r.remaining < 1e-6) r.remaining = 0;
                }
            }
            now = next;
            std::vector<Running> still;
            std::vector<Running> done;
            for (auto& r : running) {
                if (r.remaining <= 0 && r.fixed_end <= now + 1e-9) done.push_back(std::move(r));
                else still.push_back(std::move(r));
            }
            running = std::move(still);
            std::sort(done.begin(), done.end(), [](const Running& a, const Running& b) { return a.queue < b.queue; });
            for (auto& r : done) finish(r, now);
        }
        st.cycles = now;
        st.us = now / (m.dev.clock_ghz * 1000);
        for (int q = 0; q < nq; q++) st.idle[q] = std::max(0.0, now - st.busy[q] - st.stall[q]);
        uint64_t dram = st.dram_read_bytes + st.dram_write_bytes;
        st.dram_gbps = now > 0 ? dram / (now / m.dev.clock_ghz) : 0;  // bytes per ns = GB/s
        double peak = static_cast<double>(m.dev.tu_rows) * m.dev.tu_cols * m.dev.engines * now;
        st.tu_utilization = peak > 0 ? st.useful_macs / peak : 0;
        uint64_t spm_hw = 0;
        for (auto& s : m.spm) spm_hw = std::max(spm_hw, s.high_water());
        st.spm_high_water = spm_hw;
        st.shm_high_water = m.shm.high_water();
    }

    std::string trace_json() const {
        std::ostringstream o;
        o << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
        static const char* kinds[] = {"NDMA_IN", "NDMA_OUT", "TU", "VU", "SC"};
        static const char* dev[] = {"TDMA0", "TDMA1", "TDMA2", "TDMA3", "HOST"};
        for (int q = 0; q < nq; q++) {
            std::string name = q < m.dev.engines * 5 ? "NE" + std::to_string(q / 5) + " " + kinds[q % 5] : dev[q - m.dev.engines * 5];
            o << "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":" << q << ",\"args\":{\"name\":\"" << name << "\"}},\n";
        }
        o << trace.str() << "\n]}";
        return o.str();
    }
};

}  // namespace npu

// ---------------------------------------------------------------------------------------------------
// The C API.

struct npu_sim {
    std::unique_ptr<npu::Machine> m;
};

static void copy_error(char* err, int len, const std::string& msg) {
    if (err == nullptr || len <= 0) return;
    std::snprintf(err, static_cast<size_t>(len), "%s", msg.c_str());
}

template <typename F> static int guarded(npu_sim* sim, F f) {
    if (sim == nullptr || !sim->m) return NPU_EARG;
    try {
        sim->m->error.clear();
        f(*sim->m);
        return NPU_OK;
    } catch (const npu::SimError& e) {
        sim->m->error = e.what();
        return e.code;
    } catch (const npu::ProgramError& e) {
        sim->m->error = e.what();
        return NPU_EPROGRAM;
    } catch (const std::bad_alloc&) {
        sim->m->error = "out of host memory";
        return NPU_EMEMORY;
    } catch (const std::exception& e) {
        sim->m->error = e.what();
        return NPU_EARG;
    }
}

extern "C" {

int npu_create(const char* device_json, npu_sim** out, char* err, int err_len) {
    if (out == nullptr) return NPU_EARG;
    *out = nullptr;
    try {
        npu::Device d = npu::Device::parse(device_json == nullptr ? "{}" : device_json);
        auto* s = new npu_sim();
        s->m.reset(new npu::Machine(d));
        *out = s;
        return NPU_OK;
    } catch (const std::exception& e) {
        copy_error(err, err_len, e.what());
        return NPU_EDEVICE;
    }
}

void npu_destroy(npu_sim* sim) { delete sim; }

const char* npu_error(const npu_sim* sim) { return sim == nullptr || !sim->m ? "no simulator" : sim->m->error.c_str(); }

const char* npu_device_json(const npu_sim* sim) { return sim == nullptr || !sim->m ? "" : sim->m->device_json.c_str(); }

uint64_t npu_device_hash(const npu_sim* sim) { return sim == nullptr || !sim->m ? 0 : sim->m->dev.hash(); }

int npu_load(npu_sim* sim, const uint8_t* program, uint64_t length) {
    return guarded(sim, [&](npu::Machine& m) {
        if (program == nullptr) throw npu::SimError(NPU_EARG, "no program");
        m.prog = npu::Program::parse(program, length, m.dev.queues());
        for (auto& q : m.prog.queues) for (auto& in : q) npu::check_placement(m.dev, in);
        for (auto& s : m.prog.symbols) m.mem(s.address).check(npu::offset_of(s.address), s.bytes);
        m.loaded = true;
    });
}

static uint64_t resolve(npu::Machine& m, const char* symbol, uint64_t address, uint64_t n) {
    if (symbol == nullptr) return address;
    const npu::Symbol& s = m.symbol(symbol);
    if (address > s.bytes || n > s.bytes - address) {
        throw npu::SimError(NPU_EMEMORY, std::string("bytes [") + std::to_string(address) + ", +" + std::to_string(n) + ") are outside symbol \"" + symbol
                                             + "\" of " + std::to_string(s.bytes));
    }
    return s.address + address;
}

int npu_write(npu_sim* sim, const char* symbol, uint64_t address, const void* src, uint64_t n) {
    return guarded(sim, [&](npu::Machine& m) {
        if (src == nullptr && n > 0) throw npu::SimError(NPU_EARG, "no source");
        uint64_t a = resolve(m, symbol, address, n);
        if (n > 0) m.mem(a).write(npu::offset_of(a), src, n);
    });
}

int npu_read(npu_sim* sim, const char* symbol, uint64_t address, void* dst, uint64_t n) {
    return guarded(sim, [&](npu::Machine& m) {
        if (dst == nullptr && n > 0) throw npu::SimError(NPU_EARG, "no destination");
        uint64_t a = resolve(m, symbol, address, n);
        if (n > 0) m.mem(a).read(npu::offset_of(a), dst, n);
    });
}

int npu_set_register(npu_sim* sim, int reg, int64_t value) {
    return guarded(sim, [&](npu::Machine& m) {
        if (reg < 0 || reg >= npu::REGISTERS) throw npu::SimError(NPU_EARG, "register " + std::to_string(reg));
        m.regs[reg] = value;
    });
}

int npu_run(npu_sim* sim, int mode, npu_stats* stats) {
    return guarded(sim, [&](npu::Machine& m) {
        if (!m.loaded) throw npu::SimError(NPU_EARG, "no program loaded");
        if (mode != NPU_FUNCTIONAL && mode != NPU_TIMED) throw npu::SimError(NPU_EARG, "run mode " + std::to_string(mode));
        for (auto& s : m.spm) s.reset_high_water();
        m.shm.reset_high_water();
        npu::Scheduler s(m, mode == NPU_TIMED);
        s.run();
        if (stats != nullptr) *stats = s.st;
        if (mode == NPU_TIMED) m.trace = s.trace_json();
    });
}

const char* npu_trace_json(npu_sim* sim) { return sim == nullptr || !sim->m ? "" : sim->m->trace.c_str(); }

}  // extern "C"
