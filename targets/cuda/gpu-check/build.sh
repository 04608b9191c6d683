#!/usr/bin/env bash
# Builds, on a development machine, everything the GPU check needs on a machine that has a GPU but
# no JDK, no Maven and no network: a jlink'd Java runtime, the application and test jars, the CUDA
# runtime library the bindings link against, and a kernel cache holding nvcc's binaries for the
# trained model and the benchmark shapes, so artifacts compiled there, without nvcc, carry the same
# binaries as here. Output: target/gpu-check.tar.xz (must stay under 64 MiB) and target/bundle/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="$here/target/bundle"
rm -rf "$out" && mkdir -p "$out"/{lib,test-lib,native,kernel-cache,work}

cd "$root"
echo "gpu-check: building the jars" >&2
./mvnw -B -q -DskipTests package -pl cli -am
# Each module writes its own test class path; the reactor resolves axc's modules to their build output.
./mvnw -B -q -DskipTests package dependency:build-classpath -pl targets/cuda -am -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >/dev/null
cp targets/cuda/target/test-classpath.txt "$out/work/cp.txt"
./mvnw -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 -DoutputDirectory="$out/test-lib" >/dev/null

cp cli/target/axc.jar "$out/lib/"
# The conformance suite's class path: axc.jar (every module, shaded), the cuda module's tests, the
# test kit and the test jars it reads; the console launcher brings JUnit itself.
cp -r targets/cuda/target/test-classes "$out/test-lib/cuda-tests"
tr ':' '\n' < "$out/work/cp.txt" | while read -r jar; do
  case "$jar" in
    *axc-target-testkit*.jar | *axc-compiler*-tests.jar | *opentest4j*.jar | *jqwik*.jar | *apiguardian*.jar) cp "$jar" "$out/test-lib/" ;;
  esac
done

echo "gpu-check: the Java runtime (jlink)" >&2
# java.desktop, which jdeps lists for optional java.beans uses in libraries, is left out: 20 MB axc never loads.
modules="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --print-module-deps --ignore-missing-deps cli/target/axc.jar | sed 's/java.desktop,\{0,1\}//; s/,$//')"
"$JAVA_HOME/bin/jlink" --add-modules "$modules,jdk.incubator.vector,jdk.unsupported,java.management" \
  --strip-java-debug-attributes --strip-native-debug-symbols=exclude-debuginfo-files --no-man-pages --no-header-files \
  --compress=zip-9 --output "$out/runtime"
strip --strip-unneeded "$out/runtime/lib/server/libjvm.so"

cuda_home="${CUDA_HOME:-/usr/local/cuda}"
cp -L "$cuda_home/lib64/libcudart.so.13" "$out/native/"

axc() { AXC_CUDA_CACHE="$out/kernel-cache" "$root/axc" -q "$@"; }
echo "gpu-check: kernels for the trained model (run.sh compiles its artifacts from the jar's copy)" >&2
tiny="$out/work/axc-tiny-py"
mkdir -p "$tiny" && unzip -q -j cli/target/axc.jar 'axc/examples/axc-tiny-py/*' -d "$tiny"
axc compile "$tiny" --target cuda -o "$out/work/tiny-bf16.axc"
for p in q8_0 q4_0; do
  axc quantize "$tiny" -o "$out/work/tiny-$p.gguf" --preset "$p"
  axc compile "$out/work/tiny-$p.gguf" --target cuda -o "$out/work/tiny-$p.axc"
done

echo "gpu-check: kernels for the benchmark shapes (two layers give every specialisation)" >&2
for shape in qwen2.5-0.5b-shape qwen2.5-7b-shape; do
  m="$out/work/$shape"
  axc generate --preset "$shape" --layers 2 --shards 1 -o "$m"
  axc compile "$m" --target cuda -o "$out/work/$shape-bf16.axc"
  for p in q8_0 q4_0; do
    axc quantize "$m" -o "$out/work/$shape-$p.gguf" --preset "$p"
    axc compile "$out/work/$shape-$p.gguf" --target cuda -o "$out/work/$shape-$p.axc"
  done
  rm -rf "$m" "$out/work/$shape"*
done

rm -rf "$out/work"
cp "$here/run.sh" "$here/profile.sh" "$here/torch_decode.py" "$out/"
tar -C "$here/target" -cJf "$here/target/gpu-check.tar.xz" bundle
size=$(stat -c %s "$here/target/gpu-check.tar.xz")
echo "gpu-check: $here/target/gpu-check.tar.xz, $((size / 1048576)) MiB" >&2
[ "$size" -lt $((64 * 1048576)) ] || { echo "gpu-check: the bundle is over 64 MiB" >&2; exit 1; }
