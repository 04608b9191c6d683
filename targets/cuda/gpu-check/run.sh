#!/usr/bin/env bash
# The whole GPU check, as one command on the GPU machine, from the unpacked bundle (build.sh):
#   conformance  CudaConformanceTest (the target conformance suite, on the GPU);
#   validate     the trained model (from axc.jar) compiled for cuda as BF16, Q8_0 and Q4_0, each checked
#                with axc validate against the checkpoint and against its own golden logits;
#   m05, m7b     the benchmarks: a 0.5B- or 7B-shaped model generated here and compiled for cuda as
#                BF16, Q4_0 and Q8_0 (kernels from the carried cache) in the background while the GPU
#                runs the steps before, then axc bench of each with the device-memory roofline, then
#                PyTorch/transformers eager decode on the same BF16 weights (torch_decode.py; TORCH=0
#                skips it).
# Usage: run.sh [STAGE...] (default: all four, in that order). Results go to $RESULTS (default
# ./results), a log per step; exit status 1 when any step failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
results="${RESULTS:-$here/results}"; mkdir -p "$results"
work="${WORK:-$here/work}"; mkdir -p "$work"
java="$here/runtime/bin/java"
# The driver library sits outside the default search path on some images.
export LD_LIBRARY_PATH="$here/native:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}"
export AXC_CUDA_CACHE="$here/kernel-cache"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)
axc_cmd=("$java" "${flags[@]}" -Xmn1g -jar "$here/lib/axc.jar")
axc() { "${axc_cmd[@]}" "$@" 2> >(grep -v "^WARNING: Using incubator modules" >&2); }
status=0
step() { echo "== $(date -u +%T) $*" | tee -a "$results/log.txt"; }
fail() { echo "FAILED: $*" | tee -a "$results/log.txt"; status=1; }
stages=("$@"); [ ${#stages[@]} -gt 0 ] || stages=(conformance validate m05 m7b)

{ date -u; nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv 2>&1; } | tee "$results/device.txt"
step "targets"; axc targets 2>&1 | tee -a "$results/log.txt"

conformance() {
  step "conformance"
  timeout 420 "$java" "${flags[@]}" -jar test-lib/junit-platform-console-standalone-1.14.4.jar execute \
    --class-path "test-lib/cuda-tests:lib/axc.jar:$(ls test-lib/*.jar | grep -v console-standalone | tr '\n' ':')" \
    --select-class axc.target.cuda.CudaConformanceTest --include-tag gpu --details=tree --disable-banner \
    > "$results/conformance.txt" 2>&1 || fail "conformance (exit $?)"
  tail -40 "$results/conformance.txt"
}

validate() {
  step "validate"
  "${PYTHON:-python3}" -c "
import sys, zipfile, os
z = zipfile.ZipFile('lib/axc.jar'); p = 'axc/examples/axc-tiny-py/'
os.makedirs('$work/axc-tiny-py', exist_ok=True)
for n in z.namelist():
    if n.startswith(p) and not n.endswith('/'): open('$work/axc-tiny-py/' + n[len(p):], 'wb').write(z.read(n))
" || fail "unpacking the trained model"
  axc -q compile "$work/axc-tiny-py" --target cuda -o "$work/tiny-bf16.axc" || fail "compile tiny bf16"
  for p in q8_0 q4_0; do
    axc -q quantize "$work/axc-tiny-py" -o "$work/tiny-$p.gguf" --preset "$p" \
      && axc -q compile "$work/tiny-$p.gguf" --target cuda -o "$work/tiny-$p.axc" || fail "compile tiny $p"
  done
  for t in bf16 q8_0 q4_0; do
    local ref="$work/axc-tiny-py"; [ "$t" = bf16 ] || ref="$work/tiny-$t.gguf"
    timeout 300 "${axc_cmd[@]}" --json validate "$work/tiny-$t.axc" --reference "$ref" --min-top1 0.99 --max-nmse 1e-4 \
      > "$results/validate-tiny-$t.json" 2> "$results/validate-tiny-$t.err" || fail "validate tiny $t against $ref"
    timeout 300 "${axc_cmd[@]}" --json validate "$work/tiny-$t.axc" \
      > "$results/validate-golden-tiny-$t.json" 2> "$results/validate-golden-tiny-$t.err" || fail "validate tiny $t against its golden logits"
    tail -c 600 "$results/validate-tiny-$t.json" "$results/validate-tiny-$t.err"; echo
  done
}

bench_one() { # artifact label
  step "bench $2"
  timeout 400 "${axc_cmd[@]}" --json bench "$1" --prompt-tokens 512 --gen-tokens 128 --repeat 5 --probe-mib 1024 \
    > "$results/bench-$2.json" 2> "$results/bench-$2.err" || fail "bench $2"
  tail -c 900 "$results/bench-$2.json" "$results/bench-$2.err"; echo
}

# Generates a shape and compiles its bf16, q8_0 and q4_0 artifacts (marking each $label-$t.ready), on
# the CPU, in the background while the GPU does the conformance and validate steps.
prepare() { # preset label
  local m="$work/$2"
  axc -q generate --preset "$1" -o "$m" > "$results/prepare-$2.txt" 2>&1 || { fail "generate $1"; return; }
  axc -q compile "$m" --target cuda -o "$work/$2-bf16.axc" >> "$results/prepare-$2.txt" 2>&1 && touch "$work/$2-bf16.ready" || fail "compile $2 bf16"
  for p in q4_0 q8_0; do
    axc -q quantize "$m" -o "$work/$2-$p.gguf" --preset "$p" > /dev/null 2>> "$results/prepare-$2.txt" \
      && axc -q compile "$work/$2-$p.gguf" --target cuda -o "$work/$2-$p.axc" >> "$results/prepare-$2.txt" 2>&1 \
      && touch "$work/$2-$p.ready" || fail "compile $2 $p"
    rm -f "$work/$2-$p.gguf"
  done
}

# PyTorch/transformers eager on the same checkpoint, alone on the GPU (after the benchmarks); TORCH=0 skips it.
pytorch() { # label
  [ "${TORCH:-1}" = 1 ] && [ -d "$work/$1" ] || return 0
  step "pytorch eager $1 bf16"
  if "${PYTHON:-python3}" -c "import torch, transformers" 2>/dev/null; then
    timeout 400 "${PYTHON:-python3}" torch_decode.py "$work/$1" --prompt-tokens 512 --gen-tokens 128 --repeat 5 \
      > "$results/torch-$1.json" 2> "$results/torch-$1.err" || fail "pytorch $1"
    cat "$results/torch-$1.json"
  else
    fail "pytorch eager $1: torch/transformers not importable"
  fi
}

bench() { # label: waits for each artifact prepare makes, benchmarks it, deletes it
  for t in bf16 q4_0 q8_0; do
    while [ ! -e "$work/$1-$t.ready" ] && kill -0 "$preparing" 2>/dev/null; do sleep 2; done
    [ -e "$work/$1-$t.ready" ] || continue
    bench_one "$work/$1-$t.axc" "$1-$t"
    rm -f "$work/$1-$t.axc"
  done
}

shapes=()
for s in "${stages[@]}"; do case "$s" in m05) shapes+=("qwen2.5-0.5b-shape m05") ;; m7b) shapes+=("qwen2.5-7b-shape m7b") ;; esac; done
preparing=0
if [ ${#shapes[@]} -gt 0 ]; then
  ( for sh in "${shapes[@]}"; do prepare $sh; done ) &
  preparing=$!
fi

for s in "${stages[@]}"; do
  case "$s" in
    conformance) conformance ;;
    validate) validate ;;
    m05) bench m05 ;;
    m7b) bench m7b ;;
    *) fail "unknown stage $s (conformance, validate, m05, m7b)" ;;
  esac
done
wait
for s in "${stages[@]}"; do case "$s" in m05 | m7b) pytorch "$s"; rm -rf "${work:?}/$s" ;; esac; done
rm -rf "$work"
# The background preparation's failures are in the log, not in this shell's status.
grep -q "^FAILED" "$results/log.txt" && status=1
step "done, status $status"
exit $status
