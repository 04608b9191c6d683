/*
 * RNPU-A simulator: the flat C API of the npu target (NPU.md, B6). A team with a real chip implements
 * this same header over its driver; the rest of axc does not change. Plain structs and integer error
 * codes only: nothing here throws across the boundary, and a bad device file or program is an error
 * code plus a message (npu_error), never a crash.
 */
#ifndef NPU_SIM_H
#define NPU_SIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. */
#define NPU_OK 0
#define NPU_EDEVICE 1   /* device.json: syntax, unknown key, bad value */
#define NPU_EPROGRAM 2  /* program file: bad magic, version, record, operand */
#define NPU_EMEMORY 3   /* an access outside a memory space or a symbol's bounds */
#define NPU_ERACE 4     /* two accesses conflict and no semaphore orders them */
#define NPU_EDEADLOCK 5 /* every unfinished queue waits on a semaphore nobody will signal */
#define NPU_EOVERFLOW 6 /* an int32 accumulation overflowed */
#define NPU_EARG 7      /* a bad argument to this API */

/* Run modes. */
#define NPU_FUNCTIONAL 0 /* results only; every instruction costs one cycle */
#define NPU_TIMED 1      /* results and the cycle model */

/* Queues: per engine e, NPU_QUEUES_PER_ENGINE of them at e * 5 + {NDMA_IN, NDMA_OUT, TU, VU, SC}; then
 * the device queues TDMA0..3 and HOST after all engines' (engines * 5 + {0..4}). */
#define NPU_Q_NDMA_IN 0
#define NPU_Q_NDMA_OUT 1
#define NPU_Q_TU 2
#define NPU_Q_VU 3
#define NPU_Q_SC 4
#define NPU_QUEUES_PER_ENGINE 5
#define NPU_DEVICE_QUEUES 5
#define NPU_MAX_ENGINES 32
#define NPU_MAX_QUEUES (NPU_MAX_ENGINES * NPU_QUEUES_PER_ENGINE + NPU_DEVICE_QUEUES)

/* DRAM byte classes, from a DMA's subop. */
#define NPU_CLASS_ACT 0
#define NPU_CLASS_WEIGHTS 1
#define NPU_CLASS_KV 2
#define NPU_CLASS_IO 3

typedef struct npu_stats {
    double cycles;             /* the program's makespan */
    double us;                 /* cycles / clock */
    uint64_t instructions;
    uint64_t dram_read_bytes;  /* bursts rounded, as the cycle model charges them */
    uint64_t dram_write_bytes;
    uint64_t dram_class_bytes[4];
    double dram_gbps;          /* DRAM bytes / time */
    double tu_utilization;     /* useful MACs / (peak MACs/cycle * engines * cycles) */
    uint64_t useful_macs;
    uint64_t spm_high_water;   /* the most bytes of any engine's SPM touched */
    uint64_t shm_high_water;
    int32_t queues;            /* entries used in the arrays below */
    double busy[NPU_MAX_QUEUES];   /* cycles executing */
    double stall[NPU_MAX_QUEUES];  /* cycles with an instruction waiting on a semaphore */
    double idle[NPU_MAX_QUEUES];   /* the rest of the makespan */
} npu_stats;

typedef struct npu_sim npu_sim;

/* A simulator for the machine device_json describes ({"preset": "atom"} and/or every field; unknown
 * keys rejected). On failure returns an error code, *out is NULL and err holds the message. */
int npu_create(const char* device_json, npu_sim** out, char* err, int err_len);
void npu_destroy(npu_sim* sim);
/* The last error's message ("" if none). */
const char* npu_error(const npu_sim* sim);
/* The device as resolved (every field), as JSON; and its hash, which programs record. */
const char* npu_device_json(const npu_sim* sim);
uint64_t npu_device_hash(const npu_sim* sim);

/* Loads a program file (magic RNPU): replaces any earlier program; memory is kept. */
int npu_load(npu_sim* sim, const uint8_t* program, uint64_t length);
/* Writes or reads n bytes at a symbol of the loaded program (offset within it), or at a raw address
 * (space[63:60] | engine[59:52] | offset[47:0]) when symbol is NULL. */
int npu_write(npu_sim* sim, const char* symbol, uint64_t address, const void* src, uint64_t n);
int npu_read(npu_sim* sim, const char* symbol, uint64_t address, void* dst, uint64_t n);
/* Sets a scalar register before a run (cache_position, block tables). */
int npu_set_register(npu_sim* sim, int reg, int64_t value);
/* Runs the loaded program; stats may be NULL. */
int npu_run(npu_sim* sim, int mode, npu_stats* stats);
/* The last timed run as a Chrome trace (Perfetto loads it): one track per queue. */
const char* npu_trace_json(npu_sim* sim);

#ifdef __cplusplus
}
#endif
#endif
