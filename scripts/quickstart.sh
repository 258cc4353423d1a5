#!/usr/bin/env bash
# The README's first command: sets up the machine, builds lowbit and runs it on
# the example model.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${LOWBIT_BUILD_DIR:-$root/build}"

bash scripts/setup.sh
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
ninja -C "$build" lowbit-opt

echo
echo "== examples/two_layer_mlp.mlir with calibration probes inserted =="
"$build/bin/lowbit-opt" examples/two_layer_mlp.mlir --lowbit-insert-observers
