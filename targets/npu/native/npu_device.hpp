// The machine model of NPU.md B1: presets, overrides from device.json (unknown keys rejected, every
// field overridable, the VOP cost table included), the resolved description and its hash.
#pragma once
#include "npu_json.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace npu {

struct DeviceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Device {
    std::string preset = "atom";
    int devices = 1;
    int engines = 8;
    double clock_ghz = 1.0;
    int tu_rows = 64, tu_cols = 128;
    double tu_int4_factor = 2, tu_fp16_factor = 0.25, tu_wload_Bpc = 256;
    int vu_lanes_fp32 = 128, vu_sfu_per_cycle = 32;
    uint64_t spm_bytes = 4ull << 20;
    double spm_Bpc = 512;
    uint64_t shm_bytes = 32ull << 20;
    double shm_Bpc = 1024;
    uint64_t dram_bytes = 16ull << 30;
    double dram_GBps = 256, dram_latency_ns = 500;
    int dram_burst_B = 64;
    int dma_ndma_per_engine = 2, dma_tdma = 4;
    double dma_setup_cycles = 64;
    int sync_semaphores = 256;
    double sync_latency_cycles = 20;
    // Passes over the data per VOP sub-op (NPU.md B4), by name.
    std::map<std::string, double> vop_passes = {{"add", 1}, {"mul", 1}, {"cast", 1}, {"dequant", 1}, {"quant", 2}, {"requant", 2},
                                                {"rmsnorm", 3}, {"rope", 2}, {"softmax", 4}, {"silu_mul", 2}, {"reduce", 1}, {"copy", 1}};

    double dram_Bpc() const { return dram_GBps / clock_ghz; }
    int queues() const { return engines * 5 + 5; }

    static Device preset_named(const std::string& name) {
        Device d;
        d.preset = name;
        if (name == "atom") return d;
        if (name == "atom-max") {
            d.devices = 4;  // four ATOM dies on one card; v1 simulates one of them
            return d;
        }
        if (name == "rebel-chiplet") {
            // Derived: 250 TFLOPS FP16 and 1.2 TB/s per die; the rest estimated.
            d.engines = 16;
            d.tu_rows = 128;
            d.tu_cols = 128;
            d.tu_fp16_factor = 0.5;
            d.tu_wload_Bpc = 512;
            d.vu_lanes_fp32 = 256;
            d.vu_sfu_per_cycle = 64;
            d.shm_bytes = 64ull << 20;
            d.shm_Bpc = 2048;
            d.dram_bytes = 36ull << 30;
            d.dram_GBps = 1200;
            d.dram_latency_ns = 400;
            return d;
        }
        throw DeviceError("unknown preset \"" + name + "\" (atom, atom-max, rebel-chiplet)");
    }

    /** A device from a device.json text: {"preset": ...} first, then every other key overrides it. */
    static Device parse(const std::string& text) {
        Json j;
        try {
            j = Json::parse(text);
        } catch (const JsonError& e) {
            throw DeviceError(e.what());
        }
        if (j.kind != Json::OBJ) throw DeviceError("a device file is a JSON object");
        const Json* p = j.find("preset");
        Device d = preset_named(p == nullptr ? "atom" : str(*p, "preset"));
        for (auto& kv : j.obj) d.set(kv.first, kv.second);
        d.check();
        return d;
    }

    void set(const std::string& key, const Json& v) {
        if (key == "preset") return;
        if (key == "devices") { devices = integer(v, key, 1, 64); return; }
        if (key == "engines") { engines = integer(v, key, 1, 32); return; }
        if (key == "clock_ghz") { clock_ghz = positive(v, key); return; }
        if (key == "tu") {
            fields(v, key, {{"rows", [&](const Json& x) { tu_rows = integer(x, "tu.rows", 1, 4096); }},
                            {"cols", [&](const Json& x) { tu_cols = integer(x, "tu.cols", 1, 4096); }},
                            {"int4_factor", [&](const Json& x) { tu_int4_factor = positive(x, "tu.int4_factor"); }},
                            {"fp16_factor", [&](const Json& x) { tu_fp16_factor = positive(x, "tu.fp16_factor"); }},
                            {"wload_Bpc", [&](const Json& x) { tu_wload_Bpc = positive(x, "tu.wload_Bpc"); }}});
            return;
        }
        if (key == "vu") {
            fields(v, key, {{"lanes_fp32", [&](const Json& x) { vu_lanes_fp32 = integer(x, "vu.lanes_fp32", 1, 1 << 16); }},
                            {"sfu_per_cycle", [&](const Json& x) { vu_sfu_per_cycle = integer(x, "vu.sfu_per_cycle", 1, 1 << 16); }}});
            return;
        }
        if (key == "spm") {
            fields(v, key, {{"bytes", [&](const Json& x) { spm_bytes = bytes(x, "spm.bytes"); }},
                            {"Bpc", [&](const Json& x) { spm_Bpc = positive(x, "spm.Bpc"); }}});
            return;
        }
        if (key == "shm") {
            fields(v, key, {{"bytes", [&](const Json& x) { shm_bytes = bytes(x, "shm.bytes"); }},
                            {"Bpc", [&](const Json& x) { shm_Bpc = positive(x, "shm.Bpc"); }}});
            return;
        }
        if (key == "dram") {
            fields(v, key, {{"bytes", [&](const Json& x) { dram_bytes = bytes(x, "dram.bytes"); }},
                            {"GBps", [&](const Json& x) { dram_GBps = positive(x, "dram.GBps"); }},
                            {"latency_ns", [&](const Json& x) { dram_latency_ns = nonnegative(x, "dram.latency_ns"); }},
                            {"burst_B", [&](const Json& x) { dram_burst_B = integer(x, "dram.burst_B", 1, 1 << 20); }}});
            return;
        }
        if (key == "dma") {
            fields(v, key, {{"ndma_per_engine", [&](const Json& x) { dma_ndma_per_engine = integer(x, "dma.ndma_per_engine", 1, 64); }},
                            {"tdma", [&](const Json& x) { dma_tdma = integer(x, "dma.tdma", 1, 4); }},
                            {"setup_cycles", [&](const Json& x) { dma_setup_cycles = nonnegative(x, "dma.setup_cycles"); }}});
            return;
        }
        if (key == "sync") {
            fields(v, key, {{"semaphores", [&](const Json& x) { sync_semaphores = integer(x, "sync.semaphores", 1, 65535); }},
                            {"latency_cycles", [&](const Json& x) { sync_latency_cycles = nonnegative(x, "sync.latency_cycles"); }}});
            return;
        }
        if (key == "vop_passes") {
            if (v.kind != Json::OBJ) throw DeviceError("vop_passes: expected an object");
            for (auto& kv : v.obj) {
                if (vop_passes.find(kv.first) == vop_passes.end()) throw DeviceError("vop_passes: unknown op \"" + kv.first + "\"");
                vop_passes[kv.first] = positive(kv.second, "vop_passes." + kv.first);
            }
            return;
        }
        throw DeviceError("unknown key \"" + key + "\"");
    }

    void check() const {
        if (spm_bytes > (1ull << 48) || shm_bytes > (1ull << 48) || dram_bytes > (1ull << 48)) throw DeviceError("a memory is larger than 2^48 bytes");
    }

    /** Every field, in a fixed order: what programs and reports record. */
    std::string json() const {
        std::ostringstream o;
        o.precision(17);
        o << "{\"preset\":\"" << preset << "\",\"devices\":" << devices << ",\"engines\":" << engines << ",\"clock_ghz\":" << clock_ghz
          << ",\"tu\":{\"rows\":" << tu_rows << ",\"cols\":" << tu_cols << ",\"int4_factor\":" << tu_int4_factor << ",\"fp16_factor\":" << tu_fp16_factor
          << ",\"wload_Bpc\":" << tu_wload_Bpc << "},\"vu\":{\"lanes_fp32\":" << vu_lanes_fp32 << ",\"sfu_per_cycle\":" << vu_sfu_per_cycle
          << "},\"spm\":{\"bytes\":" << spm_bytes << ",\"Bpc\":" << spm_Bpc << "},\"shm\":{\"bytes\":" << shm_bytes << ",\"Bpc\":" << shm_Bpc
          << "},\"dram\":{\"bytes\":" << dram_bytes << ",\"GBps\":" << dram_GBps << ",\"latency_ns\":" << dram_latency_ns << ",\"burst_B\":" << dram_burst_B
          << "},\"dma\":{\"ndma_per_engine\":" << dma_ndma_per_engine << ",\"tdma\":" << dma_tdma << ",\"setup_cycles\":" << dma_setup_cycles
          << "},\"sync\":{\"semaphores\":" << sync_semaphores << ",\"latency_cycles\":" << sync_latency_cycles << "},\"vop_passes\":{";
        bool first = true;
        for (auto& kv : vop_passes) {
            o << (first ? "" : ",") << "\"" << kv.first << "\":" << kv.second;
            first = false;
        }
        o << "}}";
        return o.str();
    }

    uint64_t hash() const {
        uint64_t h = 1469598103934665603ull;  // FNV-1a over the resolved description
        for (unsigned char c : json()) h = (h ^ c) * 1099511628211ull;
        return h;
    }

private:
    using Setter = std::pair<const char*, std::function<void(const Json&)>>;

    static void fields(const Json& v, const std::string& key, std::initializer_list<Setter> setters) {
        if (v.kind != Json::OBJ) throw DeviceError(key + ": expected an object");
        for (auto& kv : v.obj) {
            bool known = false;
            for (auto& s : setters) {
                if (kv.first == s.first) {
                    s.second(kv.second);
                    known = true;
                }
            }
            if (!known) throw DeviceError("unknown key \"" + key + "." + kv.first + "\"");
        }
    }

    static std::string str(const Json& v, const std::string& key) {
        if (v.kind != Json::STR) throw DeviceError(key + ": expected a string");
        return v.str;
    }

    static double number(const Json& v, const std::string& key) {
        if (v.kind != Json::NUM || !std::isfinite(v.num)) throw DeviceError(key + ": expected a number");
        return v.num;
    }

    static double positive(const Json& v, const std::string& key) {
        double x = number(v, key);
        if (!(x > 0)) throw DeviceError(key + ": must be positive, not " + std::to_string(x));
        return x;
    }

    static double nonnegative(const Json& v, const std::string& key) {
        double x = number(v, key);
        if (x < 0) throw DeviceError(key + ": must not be negative");
        return x;
    }

    static int integer(const Json& v, const std::string& key, int lo, int hi) {
        double x = number(v, key);
        if (x != std::floor(x) || x < lo || x > hi) throw DeviceError(key + ": must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return static_cast<int>(x);
    }

    static uint64_t bytes(const Json& v, const std::string& key) {
        double x = number(v, key);
        if (x != std::floor(x) || x < 1 || x > 281474976710656.0) throw DeviceError(key + ": must be a byte count in [1, 2^48]");
        return static_cast<uint64_t>(x);
    }
};

}  // namespace npu
