// The command-stream ISA of NPU.md B2: 64-byte little-endian records, the program file, addresses.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu {

struct ProgramError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum Op : uint8_t { OP_DMA = 1, OP_GEMM = 2, OP_VOP = 3, OP_SREG = 4, OP_SYNC = 5 };
enum Space : uint8_t { DRAM = 0, SHM = 1, SPM = 2 };
enum GemmMode : uint8_t { GEMM_I8I8 = 0, GEMM_I8I4 = 1, GEMM_F16F16 = 2 };
enum Vop : uint8_t {
    VOP_ADD = 0, VOP_MUL = 1, VOP_CAST = 2, VOP_DEQUANT = 3, VOP_QUANT = 4, VOP_RMSNORM = 5, VOP_ROPE = 6,
    VOP_SOFTMAX = 7, VOP_SILU_MUL = 8, VOP_REDUCE = 9, VOP_COPY = 10, VOP_REQUANT = 11, VOP_COUNT = 12
};
/** VOP softmax flags (bits 2-4; bit 0 and 1 belong to other sub-ops). */
enum SoftmaxFlags : uint8_t { SOFTMAX_SCALED = 4, SOFTMAX_REG_VALID = 8, SOFTMAX_CAUSAL = 16 };
enum Sreg : uint8_t { SREG_SET = 0, SREG_ADD = 1, SREG_LOAD = 2 };

constexpr uint16_t NO_SEM = 0xFFFF;
constexpr uint8_t NO_REG = 0xFF;
constexpr int RECORD = 64;
constexpr int REGISTERS = 16;

inline const char* vop_name(int v) {
    static const char* n[] = {"add", "mul", "cast", "dequant", "quant", "rmsnorm", "rope", "softmax", "silu_mul", "reduce", "copy", "requant"};
    return v >= 0 && v < VOP_COUNT ? n[v] : "?";
}

inline uint64_t address(Space s, int engine, uint64_t offset) {
    return (static_cast<uint64_t>(s) << 60) | (static_cast<uint64_t>(engine & 0xFF) << 52) | (offset & ((1ull << 48) - 1));
}
inline Space space_of(uint64_t a) { return static_cast<Space>(a >> 60); }
inline int engine_of(uint64_t a) { return static_cast<int>((a >> 52) & 0xFF); }
inline uint64_t offset_of(uint64_t a) { return a & ((1ull << 48) - 1); }

template <typename T> T le(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);  // the simulator runs on little-endian hosts (x86-64, aarch64)
    return v;
}

/** One decoded record. Operand fields are read by the op that owns them. */
struct Instr {
    uint8_t op, subop, flags, queue;
    uint32_t tag;
    uint16_t wait_sem, signal_sem;
    uint32_t wait_value;
    uint8_t operands[48];

    uint64_t u64(int at) const { return le<uint64_t>(operands + at - 16); }
    uint32_t u32(int at) const { return le<uint32_t>(operands + at - 16); }
    int32_t i32(int at) const { return le<int32_t>(operands + at - 16); }
    int64_t i64(int at) const { return le<int64_t>(operands + at - 16); }
    uint16_t u16(int at) const { return le<uint16_t>(operands + at - 16); }
    uint8_t u8(int at) const { return operands[at - 16]; }
    float f32(int at) const { return le<float>(operands + at - 16); }

    static Instr decode(const uint8_t* r) {
        Instr i;
        i.op = r[0];
        i.subop = r[1];
        i.flags = r[2];
        i.queue = r[3];
        i.tag = le<uint32_t>(r + 4);
        i.wait_sem = le<uint16_t>(r + 8);
        i.signal_sem = le<uint16_t>(r + 10);
        i.wait_value = le<uint32_t>(r + 12);
        std::memcpy(i.operands, r + 16, 48);
        return i;
    }
};

// Operand offsets (bytes within the record).
// DMA:  src u64 @16, dst u64 @24, d0 u16 @32 (bytes per run), d1 u16 @34, d2 u16 @36,
//       src strides i32 @38 @42, dst strides i32 @46 @50, reg u8 @54 (0xFF: none), reg stride i32 @56;
//       flags bit 0: the register offsets dst instead of src; subop: DRAM byte class.
// GEMM: a u64 @16, b u64 @24, c u64 @32, M u16 @40, N u16 @42, K u16 @44; subop: GemmMode;
//       flags bit 0: accumulate into C, bit 1: B is [N][K] (transposed).
// VOP:  a u64 @16, b u64 @24, d u64 @32, n u32 @40 (per row), rows u32 @44, f u32 @48 (float param),
//       aux u64 @52, i u32 @60 (int param); subop: Vop. Softmax: flags SoftmaxFlags, aux the register.
// SREG: reg u8 @16, imm i64 @24, addr u64 @32; subop: Sreg.

struct Symbol {
    std::string name;
    uint64_t address, bytes;
};

struct Program {
    uint32_t version = 0;
    uint64_t device_hash = 0;
    std::vector<Symbol> symbols;
    std::vector<std::vector<Instr>> queues;  // by queue id

    /** The program file: "RNPU", u32 version (1), u64 device hash, u32 symbols, u32 queue sections; symbols
     * (name[32], u64 address, u64 bytes); sections (u32 queue, u32 count, count records). */
    static Program parse(const uint8_t* p, uint64_t n, int queue_count) {
        Program g;
        g.queues.resize(queue_count);
        uint64_t at = 0;
        auto need = [&](uint64_t k, const char* what) {
            if (k > n || at > n - k) throw ProgramError(std::string("program truncated in ") + what + " at byte " + std::to_string(at));
        };
        need(24, "the header");
        if (std::memcmp(p, "RNPU", 4) != 0) throw ProgramError("not a program file (magic is not RNPU)");
        g.version = le<uint32_t>(p + 4);
        if (g.version != 1) throw ProgramError("program version " + std::to_string(g.version) + " (this simulator reads 1)");
        g.device_hash = le<uint64_t>(p + 8);
        uint32_t nsym = le<uint32_t>(p + 16), nsec = le<uint32_t>(p + 20);
        at = 24;
        if (nsym > 1u << 20) throw ProgramError("absurd symbol count " + std::to_string(nsym));
        for (uint32_t s = 0; s < nsym; s++) {
            need(48, "the symbol table");
            char name[33] = {0};
            std::memcpy(name, p + at, 32);
            g.symbols.push_back({name, le<uint64_t>(p + at + 32), le<uint64_t>(p + at + 40)});
            at += 48;
        }
        if (nsec > static_cast<uint32_t>(queue_count)) throw ProgramError(std::to_string(nsec) + " queue sections for a device with " + std::to_string(queue_count) + " queues");
        for (uint32_t s = 0; s < nsec; s++) {
            need(8, "a section header");
            uint32_t q = le<uint32_t>(p + at), count = le<uint32_t>(p + at + 4);
            at += 8;
            if (q >= static_cast<uint32_t>(queue_count)) throw ProgramError("queue " + std::to_string(q) + " does not exist on this device");
            if (!g.queues[q].empty()) throw ProgramError("queue " + std::to_string(q) + " has two sections");
            if (count > (n - at) / RECORD) throw ProgramError("queue " + std::to_string(q) + " claims " + std::to_string(count) + " records past the end");
            for (uint32_t k = 0; k < count; k++, at += RECORD) {
                Instr i = Instr::decode(p + at);
                if (i.queue != q) throw ProgramError("record " + std::to_string(k) + " of queue " + std::to_string(q) + " names queue " + std::to_string(i.queue));
                g.queues[q].push_back(i);
            }
        }
        if (at != n) throw ProgramError(std::to_string(n - at) + " bytes after the last section");
        return g;
    }
};

}  // namespace npu
