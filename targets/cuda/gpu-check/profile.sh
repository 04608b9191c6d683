#!/usr/bin/env bash
# Where a cuda artifact's GPU time goes: Nsight Compute's duration of every kernel over a short greedy
# generation (the prompt's prefill, then decode steps replayed from the CUDA graph), summed per kernel,
# beside the same generation's wall time without the profiler. Run from the unpacked bundle (build.sh).
# Usage: profile.sh ARTIFACT OUT-PREFIX [KERNELS]   (KERNELS: launches to profile, default 1500)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
artifact="$1" out="$2" count="${3:-1500}"
export LD_LIBRARY_PATH="$here/native:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
axc=("$here/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -jar "$here/lib/axc.jar")
ncu="$(command -v ncu || ls /usr/local/cuda/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)"
ids=$(seq -s, 100 131)
"${axc[@]}" --json run "$artifact" --prompt-ids "$ids" --max-tokens 32 > "$out-run.json" 2>&1
[ -n "$ncu" ] || { echo "profile: ncu not found" >&2; exit 1; }
"$ncu" --target-processes all --metrics gpu__time_duration.sum --launch-count "$count" --print-summary per-kernel \
  "${axc[@]}" -q run "$artifact" --prompt-ids "$ids" --max-tokens 4 > "$out-ncu.txt" 2>&1
