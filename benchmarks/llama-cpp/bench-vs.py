#!/usr/bin/env python3
"""axc bench against llama-bench on the same GGUF, round after round, so both see the same machine.

Each round runs `axc bench` on the artifact compiled from the GGUF (which first measures the memory
read bandwidth), then `llama-bench` on the GGUF itself, with the same prompt and generation lengths
and thread count. The ratio of each round is taken within the round; the summary gives the medians
of the rounds' ratios with their range (docs/performance.md).

Usage: bench-vs.py MODEL.gguf MODEL.axc [--rounds 3] [--prompt 512] [--gen 128] [--repeat 5] [--threads 2]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
AXC = os.path.join(HERE, "..", "..", "axc")
LLAMA_BENCH = os.path.join(HERE, "bin", "llama-bench")


def axc_bench(args):
    out = subprocess.run([AXC, "-q", "--json", "bench", args.axc, "--prompt-tokens", str(args.prompt),
                          "--gen-tokens", str(args.gen), "--repeat", str(args.repeat), "--threads", str(args.threads)],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    return d["prefill_tokens_per_s"], d["decode_tokens_per_s"], d["read_gb_per_s"], d["roofline_fraction"]


def llama_bench(args):
    out = subprocess.run([LLAMA_BENCH, "-m", args.gguf, "-p", str(args.prompt), "-n", str(args.gen),
                          "-r", str(args.repeat), "-t", str(args.threads), "-o", "json"],
                         check=True, capture_output=True, text=True).stdout
    tests = json.loads(out)
    pp = next(statistics.median(t["samples_ts"]) for t in tests if t["n_prompt"] > 0)
    tg = next(statistics.median(t["samples_ts"]) for t in tests if t["n_gen"] > 0)
    return pp, tg, tests[0]["build_commit"]


def spread(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gguf")
    p.add_argument("axc")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--prompt", type=int, default=512)
    p.add_argument("--gen", type=int, default=128)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    pp_ratio, tg_ratio, fractions = [], [], []
    for r in range(1, args.rounds + 1):
        app, atg, gbs, frac = axc_bench(args)
        lpp, ltg, commit = llama_bench(args)
        pp_ratio.append(app / lpp)
        tg_ratio.append(atg / ltg)
        fractions.append(frac)
        print(f"round {r}: read {gbs:.1f} GB/s | axc pp{args.prompt} {app:.1f} tg{args.gen} {atg:.1f} "
              f"({frac:.0%} of roofline) | llama.cpp {commit} pp{args.prompt} {lpp:.1f} tg{args.gen} {ltg:.1f} "
              f"| pp {app / lpp:.2f}x tg {atg / ltg:.2f}x", flush=True)
    print(f"median of {args.rounds} rounds: prefill {spread(pp_ratio)}x, decode {spread(tg_ratio)}x, "
          f"axc decode at {spread([f * 100 for f in fractions])}% of the roofline")


if __name__ == "__main__":
    sys.exit(main())
