#!/usr/bin/env bash
# The ONNX node-test sweep with --target cuda, compiled on a development
# machine (no GPU needed) and run on a GPU machine (numpy and an NVIDIA driver
# needed; no onnx, no lowbit build).
#
#   bench/gpu/node_tests.sh pack BUILD_DIR OUT.tar.xz [CHIP]   (CHIP: sm_90)
#   bench/gpu/node_tests.sh run OUT.tar.xz [RESULTS.json]
#
# `pack` runs scripts/node_test_e2e.py --pack (PATH must reach ptxas);
# `run` unpacks into a temporary directory and runs
# scripts/node_test_run_packed.py with the known-wrong list of the CPU sweep.
# Results of a run are in bench/results/gpu-node-tests.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
case "${1:-}" in
  pack)
    build=$(cd "$2" && pwd)
    out=$(realpath -m "$3")
    chip=${4:-sm_90}
    py=${PYTHON:-$src/.venv/bin/python}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$py" "$src/scripts/node_test_e2e.py" --bin "$build/bin" \
      --compile-arg=--target=cuda --compile-arg=--gpu-chip="$chip" \
      --pack "$work/pack" --jobs "${JOBS:-2}" > "$work/compile.log"
    head -4 "$work/compile.log"
    tar -C "$work" -cf - pack | xz -T2 -6 > "$out"
    echo "wrote $out"
    ;;
  run)
    archive=$(realpath "$2")
    results=${3:-}
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    tar -xJf "$archive" -C "$work"
    nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
    python3 "$src/scripts/node_test_run_packed.py" "$work/pack" \
      --jobs "${JOBS:-12}" --known "$src/test/e2e/Inputs/node-tests-known.txt" \
      ${results:+--json "$results"}
    ;;
  *)
    echo "usage: $0 pack BUILD_DIR OUT.tar.xz [CHIP] | run OUT.tar.xz [RESULTS.json]" >&2
    exit 1
    ;;
esac
