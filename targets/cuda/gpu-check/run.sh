#!/usr/bin/env bash
# The whole GPU check, as one command on the GPU machine, from the unpacked bundle (build.sh):
#   1. CudaConformanceTest (the target conformance suite, on the GPU);
#   2. the trained model (from axc.jar) compiled for cuda as BF16, Q8_0 and Q4_0, each checked with
#      axc validate against the checkpoint and against its own golden logits;
#   3. the benchmarks: a 0.5B- and a 7B-shaped model generated here, compiled for cuda (kernels from
#      the carried cache), axc bench with the device-memory roofline, and PyTorch/transformers eager
#      decode on the same BF16 weights (torch_decode.py) when torch is installed.
# Writes everything under results/ (and prints it); exit status: the first failing step's.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
results="$here/results"; mkdir -p "$results"
java="$here/runtime/bin/java"
export LD_LIBRARY_PATH="$here/native:${LD_LIBRARY_PATH:-}"
export AXC_CUDA_CACHE="$here/kernel-cache"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)
axc() { "$java" "${flags[@]}" -Xmn1g -jar "$here/lib/axc.jar" "$@" 2> >(grep -v "^WARNING: Using incubator modules" >&2); }
status=0
step() { echo "== $*" | tee -a "$results/log.txt"; }

{ date -u; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1; } | tee "$results/device.txt"
step "targets"; axc targets | tee -a "$results/log.txt"

step "conformance"
"$java" "${flags[@]}" -jar test-lib/junit-platform-console-standalone-1.14.4.jar execute \
  --class-path "test-lib/cuda-tests:lib/axc.jar:$(ls test-lib/*.jar | grep -v console-standalone | tr '\n' ':')" \
  --select-class axc.target.cuda.CudaConformanceTest --include-tag gpu --details=summary \
  --reports-dir "$results/junit" 2>&1 | tee "$results/conformance.txt" | tail -25
[ "${PIPESTATUS[0]}" = 0 ] || status=1

step "validate"
mkdir -p work
"${PYTHON:-python3}" -c "
import sys, zipfile, os
z = zipfile.ZipFile('lib/axc.jar'); p = 'axc/examples/axc-tiny-py/'
os.makedirs('work/axc-tiny-py', exist_ok=True)
for n in z.namelist():
    if n.startswith(p) and not n.endswith('/'): open('work/axc-tiny-py/' + n[len(p):], 'wb').write(z.read(n))
" || status=1
axc -q compile work/axc-tiny-py --target cuda -o work/tiny-bf16.axc || status=1
for p in q8_0 q4_0; do
  axc -q quantize work/axc-tiny-py -o "work/tiny-$p.gguf" --preset "$p" && axc -q compile "work/tiny-$p.gguf" --target cuda -o "work/tiny-$p.axc" || status=1
done
for t in bf16 q8_0 q4_0; do
  ref=work/axc-tiny-py; [ "$t" = bf16 ] || ref="work/tiny-$t.gguf"
  axc --json validate "work/tiny-$t.axc" --reference "$ref" --min-top1 0.99 --max-nmse 1e-4 > "$results/validate-tiny-$t.json" || status=1
  axc --json validate "work/tiny-$t.axc" > "$results/validate-golden-tiny-$t.json" || status=1
  tail -c 400 "$results/validate-tiny-$t.json"; echo
done

bench() { # model-folder label
  local m="$1" label="$2"
  axc -q compile "$m" --target cuda -o "work/$label-bf16.axc" || { status=1; return; }
  axc -q quantize "$m" -o "work/$label-q8_0.gguf" --preset q8_0 && axc -q compile "work/$label-q8_0.gguf" --target cuda -o "work/$label-q8_0.axc"
  axc -q quantize "$m" -o "work/$label-q4_0.gguf" --preset q4_0 && axc -q compile "work/$label-q4_0.gguf" --target cuda -o "work/$label-q4_0.axc"
  for t in bf16 q8_0 q4_0; do
    step "bench $label $t"
    axc --json bench "work/$label-$t.axc" --prompt-tokens 512 --gen-tokens 128 --repeat 5 --probe-mib 1024 | tee "$results/bench-$label-$t.json" | tail -c 800
    echo
  done
  if "${PYTHON:-python3}" -c "import torch, transformers" 2>/dev/null; then
    step "pytorch eager $label bf16"
    "${PYTHON:-python3}" torch_decode.py "$m" --prompt-tokens 512 --gen-tokens 128 --repeat 5 | tee "$results/torch-$label.json"
  else
    step "pytorch eager $label: torch/transformers not importable, skipped"
  fi
}

step "generate 0.5B shape"; axc -q generate --preset qwen2.5-0.5b-shape -o work/m05 && bench work/m05 m05
step "generate 7B shape"; axc -q generate --preset qwen2.5-7b-shape -o work/m7b && bench work/m7b m7b
rm -rf work
echo "results in $results" >&2
exit $status
