#!/usr/bin/env bash
# Builds llama.cpp's own llama-quantize and llama-bench, natively for this machine, as the peer that
# axc's quantize and decode figures are measured against in the same run (docs/performance.md).
#
# llama.cpp's source comes from the npm registry: node-llama-cpp ships the llama.cpp release it binds
# as a git bundle (llama/gitRelease.bundle), which makes it reachable where GitHub is not. The build
# is a plain CMake Release build with GGML_NATIVE (AVX-512/VNNI where the CPU has them), as
# llama.cpp's own instructions give it.
#
# Usage: benchmarks/llama-cpp/build.sh [node-llama-cpp version]
# Result: benchmarks/llama-cpp/bin/{llama-quantize,llama-bench} and bin/COMMIT (the llama.cpp commit).
set -euo pipefail

version="${1:-3.22.1}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$here/work"
mkdir -p "$work" "$here/bin"

if [ ! -d "$work/src/.git" ]; then
    (cd "$work" && npm pack --silent "node-llama-cpp@$version" > /dev/null)
    tar -xzf "$work/node-llama-cpp-$version.tgz" -C "$work" package/llama/gitRelease.bundle
    git clone -q "$work/package/llama/gitRelease.bundle" "$work/src"
fi

cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DBUILD_SHARED_LIBS=OFF > /dev/null
cmake --build "$work/build" -j "$(nproc)" --target llama-quantize llama-bench > /dev/null

cp "$work/build/bin/llama-quantize" "$work/build/bin/llama-bench" "$here/bin/"
git -C "$work/src" log -1 --format='%H %cs' > "$here/bin/COMMIT"
echo "built llama.cpp $(cut -c1-12 "$here/bin/COMMIT") into $here/bin"
