#!/usr/bin/env bash
# Builds lowbit and runs every test suite: lit (IR tests, end-to-end tests) and
# gtest (numerics), then prints one closing line "N passed, N failed".
# Sets up the machine first when needed (scripts/setup.sh is idempotent).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build="${LOWBIT_BUILD_DIR:-$root/build}"
jobs="${LOWBIT_JOBS:-$(nproc)}"

bash scripts/setup.sh || exit 1

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit || { echo "error: configure failed"; echo "0 passed, 1 failed"; exit 1; }
fi
echo "test: building ($jobs jobs)"
if ! ninja -C "$build" -j "$jobs" all; then
  echo "error: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$build/test-results"
rm -rf "$results" && mkdir -p "$results"

echo "test: lit"
/usr/lib/llvm-22/bin/lit -sv "$build/test" --xunit-xml-output "$results/lit.xml"
echo "test: gtest (ctest)"
(cd "$build" && ctest --output-on-failure -j "$jobs" --output-junit "$results/ctest.xml")

"$root/.venv/bin/python" "$root/scripts/count_results.py" "$results"/*.xml
