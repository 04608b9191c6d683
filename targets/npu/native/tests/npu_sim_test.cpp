// Unit tests of the simulator through its C API; run by the Maven build twice, optimized and under
// AddressSanitizer + UndefinedBehaviorSanitizer. Exit status 0 when every check passes.
#include "../npu_sim.h"
#include "../npu_isa.hpp"
#include "../npu_math.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace npu;

static int failures = 0;
#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                             \
            std::fprintf(stderr, "\n");                                    \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/** Builds program files: records per queue, symbols. */
struct Builder {
    std::vector<std::vector<uint8_t>> queues;
    std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> symbols;
    explicit Builder(int nq) : queues(nq) {}

    uint8_t* rec(int q, uint8_t op, uint8_t subop, uint8_t flags = 0, uint16_t wait = NO_SEM, uint32_t wait_value = 0, uint16_t signal = NO_SEM, uint32_t tag = 0) {
        auto& v = queues[q];
        v.resize(v.size() + RECORD, 0);
        uint8_t* r = v.data() + v.size() - RECORD;
        r[0] = op; r[1] = subop; r[2] = flags; r[3] = static_cast<uint8_t>(q);
        std::memcpy(r + 4, &tag, 4);
        std::memcpy(r + 8, &wait, 2);
        std::memcpy(r + 10, &signal, 2);
        std::memcpy(r + 12, &wait_value, 4);
        return r;
    }
    template <typename T> static void put(uint8_t* r, int at, T v) { std::memcpy(r + at, &v, sizeof v); }

    void dma(int q, uint64_t src, uint64_t dst, uint16_t d0, uint16_t d1 = 1, int32_t ss1 = 0, int32_t ds1 = 0, uint16_t wait = NO_SEM,
             uint32_t wv = 0, uint16_t signal = NO_SEM, uint8_t cls = 0) {
        uint8_t* r = rec(q, OP_DMA, cls, 0, wait, wv, signal);
        put(r, 16, src); put(r, 24, dst); put(r, 32, d0); put(r, 34, d1); put<uint16_t>(r, 36, 1);
        put(r, 38, ss1); put(r, 46, ds1); put<uint8_t>(r, 54, NO_REG);
    }
    void gemm(int q, uint8_t mode, uint64_t a, uint64_t b, uint64_t c, uint16_t M, uint16_t N, uint16_t K, uint8_t flags = 0,
              uint16_t wait = NO_SEM, uint32_t wv = 0, uint16_t signal = NO_SEM) {
        uint8_t* r = rec(q, OP_GEMM, mode, flags, wait, wv, signal);
        put(r, 16, a); put(r, 24, b); put(r, 32, c); put(r, 40, M); put(r, 42, N); put(r, 44, K);
    }
    void vop(int q, uint8_t sub, uint64_t a, uint64_t b, uint64_t d, uint32_t n, uint32_t rows, float f = 0, uint64_t aux = 0, uint32_t ip = 0,
             uint8_t flags = 0, uint16_t wait = NO_SEM, uint32_t wv = 0, uint16_t signal = NO_SEM) {
        uint8_t* r = rec(q, OP_VOP, sub, flags, wait, wv, signal);
        put(r, 16, a); put(r, 24, b); put(r, 32, d); put(r, 40, n); put(r, 44, rows); put(r, 48, f); put(r, 52, aux); put(r, 60, ip);
    }
    void symbol(const std::string& n, uint64_t a, uint64_t bytes) { symbols.push_back({n, {a, bytes}}); }

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out(24, 0);
        std::memcpy(out.data(), "RNPU", 4);
        uint32_t version = 1, nsym = static_cast<uint32_t>(symbols.size()), nsec = 0;
        for (auto& q : queues) nsec += q.empty() ? 0 : 1;
        std::memcpy(out.data() + 4, &version, 4);
        std::memcpy(out.data() + 16, &nsym, 4);
        std::memcpy(out.data() + 20, &nsec, 4);
        for (auto& s : symbols) {
            uint8_t e[48] = {0};
            std::memcpy(e, s.first.c_str(), std::min<size_t>(32, s.first.size()));
            std::memcpy(e + 32, &s.second.first, 8);
            std::memcpy(e + 40, &s.second.second, 8);
            out.insert(out.end(), e, e + 48);
        }
        for (uint32_t q = 0; q < queues.size(); q++) {
            if (queues[q].empty()) continue;
            uint32_t count = static_cast<uint32_t>(queues[q].size() / RECORD);
            uint8_t h[8];
            std::memcpy(h, &q, 4);
            std::memcpy(h + 4, &count, 4);
            out.insert(out.end(), h, h + 8);
            out.insert(out.end(), queues[q].begin(), queues[q].end());
        }
        return out;
    }
};

static npu_sim* sim(const char* json = "{\"preset\":\"atom\"}") {
    npu_sim* s = nullptr;
    char err[256];
    int rc = npu_create(json, &s, err, sizeof err);
    CHECK(rc == NPU_OK, "%s", err);
    return s;
}

static const int E0_IN = 0, E0_OUT = 1, E0_TU = 2, E0_VU = 3;
static uint64_t spm0(uint64_t off) { return address(SPM, 0, off); }
static uint64_t dram(uint64_t off) { return address(DRAM, 0, off); }

static void test_device_files() {
    npu_sim* s = nullptr;
    char err[256] = {0};
    CHECK(npu_create("{\"preset\":\"atom\",\"tu\":{\"rows\":32}}", &s, err, sizeof err) == NPU_OK, "%s", err);
    CHECK(std::string(npu_device_json(s)).find("\"rows\":32") != std::string::npos, "%s", npu_device_json(s));
    uint64_t h1 = npu_device_hash(s);
    npu_destroy(s);
    for (const char* bad : {"{\"engines\":8,\"bogus\":1}", "{\"tu\":{\"rows\":64,\"colz\":1}}", "{\"preset\":\"tpu\"}", "{\"engines\":0}",
                            "{\"dram\":{\"GBps\":-1}}", "[1,2]", "{\"engines\":8", "{\"engines\":8,\"engines\":8}", "{\"vop_passes\":{\"fft\":1}}"}) {
        s = nullptr;
        err[0] = 0;
        CHECK(npu_create(bad, &s, err, sizeof err) == NPU_EDEVICE && s == nullptr && err[0] != 0, "accepted %s", bad);
    }
    std::string deep(100000, '[');
    CHECK(npu_create(deep.c_str(), &s, err, sizeof err) == NPU_EDEVICE, "a deep file is refused, not a stack overflow");
    for (const char* p : {"{\"preset\":\"atom-max\"}", "{\"preset\":\"rebel-chiplet\"}", "{}"}) {
        CHECK(npu_create(p, &s, err, sizeof err) == NPU_OK, "%s: %s", p, err);
        if (std::string(p) == "{}") CHECK(npu_device_hash(s) != h1, "overrides change the hash");
        npu_destroy(s);
    }
}

static void test_bad_programs() {
    npu_sim* s = sim();
    Builder b(45);
    b.dma(E0_IN, dram(0), spm0(0), 64);
    auto good = b.bytes();
    CHECK(npu_load(s, good.data(), good.size()) == NPU_OK, "%s", npu_error(s));
    auto bad = good;
    bad[0] = 'X';
    CHECK(npu_load(s, bad.data(), bad.size()) == NPU_EPROGRAM, "bad magic");
    CHECK(npu_load(s, good.data(), good.size() - 1) == NPU_EPROGRAM, "truncated: %s", npu_error(s));
    bad = good;
    bad[24 + 8 + 3] = 7;  // the record names another queue than its section
    CHECK(npu_load(s, bad.data(), bad.size()) == NPU_EPROGRAM, "queue mismatch");
    Builder g(45);
    g.gemm(E0_VU, GEMM_I8I8, spm0(0), spm0(64), spm0(128), 1, 1, 1);
    auto wrong = g.bytes();
    CHECK(npu_load(s, wrong.data(), wrong.size()) == NPU_EPROGRAM && std::string(npu_error(s)).find("not a tensor unit") != std::string::npos, "%s", npu_error(s));
    Builder o(45);
    o.dma(E0_IN, dram(0), address(SPM, 1, 0), 64);
    auto other = o.bytes();
    CHECK(npu_load(s, other.data(), other.size()) == NPU_EPROGRAM, "another engine's SPM: %s", npu_error(s));
    Builder oob(45);
    oob.dma(E0_IN, dram(0), spm0((4u << 20) - 32), 64);
    auto past = oob.bytes();
    CHECK(npu_load(s, past.data(), past.size()) == NPU_OK, "%s", npu_error(s));
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_EMEMORY, "past the SPM's end: %s", npu_error(s));
    npu_destroy(s);
}

static void test_dma_and_gemm_i8() {
    npu_sim* s = sim();
    std::mt19937 rng(7);
    const int M = 3, N = 40, K = 70;
    std::vector<int8_t> A(M * K), B(N * K);
    for (auto& x : A) x = static_cast<int8_t>(rng() % 256 - 128);
    for (auto& x : B) x = static_cast<int8_t>(rng() % 256 - 128);
    Builder b(45);
    b.symbol("a", dram(0), A.size());
    b.symbol("b", dram(4096), B.size());
    b.symbol("c", dram(8192), M * N * 4);
    // A by rows with a stride (exercises 2-D DMA), B whole; GEMM with transposed B; C back to DRAM.
    b.dma(E0_IN, dram(0), spm0(0), K, M, K, K);
    b.dma(E0_IN, dram(4096), spm0(1024), static_cast<uint16_t>(B.size()), 1, 0, 0, NO_SEM, 0, 0);
    b.gemm(E0_TU, GEMM_I8I8, spm0(0), spm0(1024), spm0(8192), M, N, K, 2, 0, 1, 1);
    b.dma(E0_OUT, spm0(8192), dram(8192), M * N * 4, 1, 0, 0, 1, 1);
    auto p = b.bytes();
    CHECK(npu_load(s, p.data(), p.size()) == NPU_OK, "%s", npu_error(s));
    CHECK(npu_write(s, "a", 0, A.data(), A.size()) == NPU_OK, "%s", npu_error(s));
    CHECK(npu_write(s, "b", 0, B.data(), B.size()) == NPU_OK, "%s", npu_error(s));
    for (int mode : {NPU_FUNCTIONAL, NPU_TIMED}) {
        npu_stats st;
        CHECK(npu_run(s, mode, &st) == NPU_OK, "%s", npu_error(s));
        std::vector<int32_t> C(M * N);
        CHECK(npu_read(s, "c", 0, C.data(), C.size() * 4) == NPU_OK, "%s", npu_error(s));
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                int32_t want = 0;
                for (int k = 0; k < K; k++) want += A[i * K + k] * B[j * K + k];
                CHECK(C[i * N + j] == want, "C[%d,%d] %d != %d", i, j, C[i * N + j], want);
            }
        }
        CHECK(st.instructions == 4 && st.useful_macs == static_cast<uint64_t>(M) * N * K, "stats");
        if (mode == NPU_TIMED) CHECK(st.cycles > 500 && st.dram_read_bytes > 0 && st.dram_write_bytes > 0, "cycles %f", st.cycles);
    }
    CHECK(npu_read(s, "c", 1, nullptr, M * N * 4) != NPU_OK, "reading past a symbol is refused");
    npu_destroy(s);
}

static void test_gemm_i4_and_f16() {
    npu_sim* s = sim();
    const int M = 2, N = 5, K = 8;
    std::vector<int8_t> A(M * K);
    std::vector<int> Bv(K * N);
    for (int i = 0; i < M * K; i++) A[i] = static_cast<int8_t>(i * 7 % 23 - 11);
    for (int i = 0; i < K * N; i++) Bv[i] = i * 5 % 16 - 8;
    // Non-transposed i4: byte (k/2)*N + n, low nibble = even k.
    std::vector<uint8_t> Bp(K / 2 * N);
    for (int k = 0; k < K; k++) for (int n = 0; n < N; n++) {
        uint8_t nib = static_cast<uint8_t>(Bv[k * N + n] & 0xF);
        Bp[(k / 2) * N + n] |= k % 2 == 0 ? nib : static_cast<uint8_t>(nib << 4);
    }
    Builder b(45);
    b.gemm(E0_TU, GEMM_I8I4, spm0(0), spm0(256), spm0(512), M, N, K);
    auto p = b.bytes();
    CHECK(npu_load(s, p.data(), p.size()) == NPU_OK, "%s", npu_error(s));
    npu_write(s, nullptr, spm0(0), A.data(), A.size());
    npu_write(s, nullptr, spm0(256), Bp.data(), Bp.size());
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_OK, "%s", npu_error(s));
    std::vector<int32_t> C(M * N);
    npu_read(s, nullptr, spm0(512), C.data(), C.size() * 4);
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
        int want = 0;
        for (int k = 0; k < K; k++) want += A[i * K + k] * Bv[k * N + j];
        CHECK(C[i * N + j] == want, "i4 C[%d,%d] %d != %d", i, j, C[i * N + j], want);
    }
    // f16: products exact in f32, k-ascending sums.
    Builder f(45);
    f.gemm(E0_TU, GEMM_F16F16, spm0(0), spm0(256), spm0(512), 1, 2, 3);
    auto pf = f.bytes();
    npu_load(s, pf.data(), pf.size());
    uint16_t a16[3] = {f32_to_f16(1.5f), f32_to_f16(-2.0f), f32_to_f16(0.25f)};
    uint16_t b16[6] = {f32_to_f16(1), f32_to_f16(2), f32_to_f16(3), f32_to_f16(4), f32_to_f16(5), f32_to_f16(6)};
    npu_write(s, nullptr, spm0(0), a16, 6);
    npu_write(s, nullptr, spm0(256), b16, 12);
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_OK, "%s", npu_error(s));
    float c[2];
    npu_read(s, nullptr, spm0(512), c, 8);
    CHECK(c[0] == 1.5f * 1 - 2.0f * 3 + 0.25f * 5 && c[1] == 1.5f * 2 - 2.0f * 4 + 0.25f * 6, "f16 %f %f", c[0], c[1]);
    // Overflow: 127·127·K past int32 with a huge K is caught.
    Builder ov(45);
    ov.gemm(E0_TU, GEMM_I8I8, spm0(0), spm0(200000), spm0(400000), 1, 1, 60000, 1);
    auto po = ov.bytes();
    npu_load(s, po.data(), po.size());
    std::vector<int8_t> big(60000, -128);
    npu_write(s, nullptr, spm0(0), big.data(), big.size());
    npu_write(s, nullptr, spm0(200000), big.data(), big.size());
    int32_t start = 2147483000;
    npu_write(s, nullptr, spm0(400000), &start, 4);
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_EOVERFLOW, "overflow: %s", npu_error(s));
    npu_destroy(s);
}

// Attention's softmax: scaled, its valid count from a register plus the immediate plus the row's index.
static void test_causal_softmax() {
    npu_sim* s = sim();
    const int n = 8, rows = 3;
    float x[n * rows];
    for (int i = 0; i < n * rows; i++) x[i] = 0.5f;
    Builder b(46);
    b.vop(E0_VU, VOP_SOFTMAX, spm0(0), 0, spm0(1024), n, rows, 2.0f, 5, 1, SOFTMAX_SCALED | SOFTMAX_REG_VALID | SOFTMAX_CAUSAL);
    auto p = b.bytes();
    CHECK(npu_load(s, p.data(), p.size()) == NPU_OK, "%s", npu_error(s));
    CHECK(npu_set_register(s, 5, 2) == NPU_OK, "%s", npu_error(s));
    npu_write(s, nullptr, spm0(0), x, sizeof x);
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_OK, "%s", npu_error(s));
    float sm[n * rows];
    npu_read(s, nullptr, spm0(1024), sm, sizeof sm);
    for (int r = 0; r < rows; r++) {
        int valid = 1 + 2 + r;  // the immediate, R[5], the row
        for (int j = 0; j < n; j++) {
            float want = j < valid ? 1.0f / static_cast<float>(valid) : 0.0f;
            CHECK(std::fabs(sm[r * n + j] - want) < 1e-7f, "causal softmax row %d col %d: %f, want %f", r, j, sm[r * n + j], want);
        }
    }
    npu_set_register(s, 5, -10);  // a valid count below zero is none: the row is all zeros
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_OK, "%s", npu_error(s));
    npu_read(s, nullptr, spm0(1024), sm, sizeof sm);
    CHECK(sm[0] == 0 && sm[n * rows - 1] == 0, "nothing valid: %f %f", sm[0], sm[n * rows - 1]);
    npu_destroy(s);
}

static void test_vops() {
    npu_sim* s = sim();
    const int n = 8, rows = 2;
    float x[n * rows] = {1, -2, 3, -4, 5, -6, 7, -127, 0.5f, 0.25f, -0.125f, 0, 0, 0, 0, 1};
    Builder b(45);
    b.vop(E0_VU, VOP_QUANT, spm0(0), spm0(256), spm0(512), n, rows, 0, 0, 0, 0, NO_SEM, 0, 0);
    b.vop(E0_VU, VOP_SOFTMAX, spm0(0), 0, spm0(1024), n, rows, 0, 0, 3, 0, 0, 1);
    auto p = b.bytes();
    CHECK(npu_load(s, p.data(), p.size()) == NPU_OK, "%s", npu_error(s));
    npu_write(s, nullptr, spm0(0), x, sizeof x);
    CHECK(npu_run(s, NPU_TIMED, nullptr) == NPU_OK, "%s", npu_error(s));
    int8_t q[n * rows];
    float sc[rows], sm[n * rows];
    npu_read(s, nullptr, spm0(512), q, sizeof q);
    npu_read(s, nullptr, spm0(256), sc, sizeof sc);
    npu_read(s, nullptr, spm0(1024), sm, sizeof sm);
    CHECK(q[7] == -127 && q[0] == 1 && sc[0] == 127.0f / 127.0f, "quant %d %d %f", q[7], q[0], sc[0]);
    CHECK(q[8] == 64 && q[9] == 32 && q[10] == -16 && q[15] == 127, "row 2 scaled by its own absmax (63.5 rounds to even): %d %d %d", q[8], q[9], q[10]);
    float s0 = sm[0] + sm[1] + sm[2];
    CHECK(std::fabs(s0 - 1.0f) < 1e-6f && sm[3] == 0 && sm[7] == 0, "masked softmax %f", s0);
    CHECK(std::fabs(npu_exp(1.0f) - 2.7182817f) < 3e-7f && npu_exp(0.0f) == 1.0f, "exp %.9g", npu_exp(1.0f));
    for (float v = -80; v < 80; v += 0.37f) {
        double rel = std::fabs(npu_exp(v) - std::exp(static_cast<double>(v))) / std::exp(static_cast<double>(v));
        CHECK(rel < 4e-7, "exp(%f) rel err %g", v, rel);
    }
    for (uint32_t h = 0; h < 65536; h++) {
        float f = f16_to_f32(static_cast<uint16_t>(h));
        if (!std::isnan(f)) CHECK(f32_to_f16(f) == h, "f16 round trip of 0x%x", h);
    }
    npu_destroy(s);
}

static void test_races_and_deadlocks() {
    npu_sim* s = sim();
    // Two queues write the same SPM bytes with nothing ordering them.
    Builder r(45);
    r.dma(E0_IN, dram(0), spm0(0), 128);
    r.dma(E0_OUT, dram(4096), spm0(64), 128);
    auto p = r.bytes();
    npu_load(s, p.data(), p.size());
    CHECK(npu_run(s, NPU_TIMED, nullptr) == NPU_ERACE, "race not found: %s", npu_error(s));
    // The same, ordered by a semaphore: fine.
    Builder ok(45);
    ok.dma(E0_IN, dram(0), spm0(0), 128, 1, 0, 0, NO_SEM, 0, 3);
    ok.dma(E0_OUT, dram(4096), spm0(64), 128, 1, 0, 0, 3, 1);
    auto po = ok.bytes();
    npu_load(s, po.data(), po.size());
    CHECK(npu_run(s, NPU_TIMED, nullptr) == NPU_OK, "%s", npu_error(s));
    // Reads on both sides do not conflict.
    Builder rd(45);
    rd.dma(E0_IN, spm0(0), dram(8192), 128);
    rd.dma(E0_OUT, spm0(0), dram(16384), 128);
    auto pr = rd.bytes();
    npu_load(s, pr.data(), pr.size());
    CHECK(npu_run(s, NPU_FUNCTIONAL, nullptr) == NPU_OK, "%s", npu_error(s));
    // A wait nobody satisfies.
    Builder d(45);
    d.dma(E0_IN, dram(0), spm0(0), 64, 1, 0, 0, 5, 2, NO_SEM);
    d.dma(E0_OUT, spm0(0), dram(64), 64, 1, 0, 0, NO_SEM, 0, 5);
    auto pd = d.bytes();
    npu_load(s, pd.data(), pd.size());
    CHECK(npu_run(s, NPU_TIMED, nullptr) == NPU_EDEADLOCK && std::string(npu_error(s)).find("deadlock") != std::string::npos, "%s", npu_error(s));
    npu_destroy(s);
}

static void test_dma_timing() {
    // One DRAM stream: setup + latency + bytes / (GB/s / GHz); two at once share the bandwidth.
    npu_sim* s = sim();
    const uint32_t bytes = 60000;
    Builder one(45);
    one.dma(E0_IN, dram(0), spm0(0), static_cast<uint16_t>(bytes));
    auto p1 = one.bytes();
    npu_stats st;
    npu_load(s, p1.data(), p1.size());
    CHECK(npu_run(s, NPU_TIMED, &st) == NPU_OK, "%s", npu_error(s));
    double want = 64 + 500 + std::ceil(bytes / 64.0) * 64 / 256.0;
    CHECK(std::fabs(st.cycles - want) < 1e-6, "one stream: %f cycles, want %f", st.cycles, want);
    Builder two(45);
    two.dma(E0_IN, dram(0), spm0(0), static_cast<uint16_t>(bytes));
    two.dma(5 * 1 + 0, dram(1 << 20), address(SPM, 1, 0), static_cast<uint16_t>(bytes));
    auto p2 = two.bytes();
    npu_load(s, p2.data(), p2.size());
    CHECK(npu_run(s, NPU_TIMED, &st) == NPU_OK, "%s", npu_error(s));
    double want2 = 64 + 500 + 2 * std::ceil(bytes / 64.0) * 64 / 256.0;
    CHECK(std::fabs(st.cycles - want2) < 1e-6, "two streams: %f cycles, want %f", st.cycles, want2);
    CHECK(std::string(npu_trace_json(s)).find("NE1 NDMA_IN") != std::string::npos, "trace names tracks");
    npu_destroy(s);
}

int main() {
    test_device_files();
    test_bad_programs();
    test_dma_and_gemm_i8();
    test_gemm_i4_and_f16();
    test_vops();
    test_causal_softmax();
    test_races_and_deadlocks();
    test_dma_timing();
    if (failures) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("npu_sim_test: all checks passed\n");
    return 0;
}
