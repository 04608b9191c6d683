#!/usr/bin/env bash
# axc quantize against llama-quantize on the same F16 GGUF, alternating run by run so both see the
# same machine (docs/performance.md). Both write to the same directory; axc fsyncs its output before
# renaming it into place, and llama-quantize's output is synced in the timed region too, so both pay
# for the same bytes reaching the disk.
#
# Usage: benchmarks/llama-cpp/quantize-vs.sh IN.gguf OUT_DIR PRESET [RUNS] [THREADS]
#   THREADS: llama-quantize's thread count (default 2); axc quantize uses every core
#   PRESET: q8_0, q4_0 or q4_k_m (axc's preset names; llama-quantize's type is the upper-case form)
# Prints one line per run and the medians, in seconds of wall time.
set -euo pipefail

in="$1"; out="$2"; preset="$3"; runs="${4:-5}"; threads="${5:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
axc="$here/../../axc"
lq="$here/bin/llama-quantize"
type="$(echo "$preset" | tr '[:lower:]' '[:upper:]')"
mkdir -p "$out"

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

a=(); l=()
for i in $(seq 1 "$runs"); do
    rm -f "$out/axc.gguf" "$out/llama.gguf"
    ta=$(seconds "$axc" -q quantize "$in" -o "$out/axc.gguf" --preset "$preset")
    tl=$(seconds bash -c "'$lq' '$in' '$out/llama.gguf' $type $threads && sync '$out/llama.gguf'")
    echo "run $i: axc $ta s, llama-quantize $tl s"
    a+=("$ta"); l+=("$tl")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ma=$(median "${a[@]}"); ml=$(median "${l[@]}")
echo "median: axc $ma s ($(printf '%s\n' "${a[@]}" | sort -g | head -1)-$(printf '%s\n' "${a[@]}" | sort -g | tail -1)), llama-quantize $ml s ($(printf '%s\n' "${l[@]}" | sort -g | head -1)-$(printf '%s\n' "${l[@]}" | sort -g | tail -1)); ratio $(echo "scale=2; $ml / $ma" | bc)x"
