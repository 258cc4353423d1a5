#!/usr/bin/env bash
# Fuzzes the ONNX importer with libFuzzer for a bounded time.
#   bench/fuzz/run.sh [SECONDS]   (default 600)
# Builds lowbit-import-fuzzer with clang-22 and AddressSanitizer +
# UndefinedBehaviorSanitizer in build-fuzz/, seeds the corpus with the ONNX
# backend node-test models and lowbit's own test models, and runs. Crashing
# inputs land in bench/fuzz/crashes/; turn each into a regression test under
# test/Import/ONNX/ (see bad-input.test) before deleting it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-600}"
build="$root/build-fuzz"
work="$root/bench/fuzz"

bash "$root/scripts/setup.sh"
# libFuzzer and the sanitizer runtimes of clang-22.
if ! dpkg-query -W -f='${Status}' libclang-rt-22-dev 2>/dev/null | grep -q "install ok installed"; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq libclang-rt-22-dev >/dev/null \
    || { echo "error: fuzz: cannot install libclang-rt-22-dev"; exit 1; }
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOWBIT_ENABLE_FUZZER=ON \
    -DLOWBIT_SANITIZE=address,undefined \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
ninja -C "$build" lowbit-import-fuzzer

corpus="$work/corpus"
mkdir -p "$corpus" "$work/crashes"
if [ -z "$(ls -A "$corpus")" ]; then
  i=0
  for m in /usr/share/libonnx-testdata/data/node/*/model.onnx \
           "$root"/test/Import/ONNX/models/*.onnx; do
    [ -f "$m" ] && cp "$m" "$corpus/seed$((i++)).onnx"
  done
  for t in "$root"/test/Import/ONNX/*.onnxtext; do
    [ -f "$t" ] && grep -v '^#' "$t" > "$corpus/seed$((i++)).onnxtext"
  done
fi
ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  "$build/bin/lowbit-import-fuzzer" "$corpus" \
  -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
  -max_len=1048576 -artifact_prefix="$work/crashes/" -print_final_stats=1
