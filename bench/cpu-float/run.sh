#!/usr/bin/env bash
# lowbit's float CPU code against ONNX Runtime (CPU provider), same inputs,
# same process, 1 and 2 threads; prints markdown tables of medians and ratios.
#   bench/cpu-float/run.sh [models|matmul|all]   (default all)
# Builds lowbit-compile if needed (build/, or LOWBIT_BUILD_DIR), builds the
# pretrained all-MiniLM-L6-v2 ONNX model like the quickstart does, and keeps
# compiled libraries in build/bench-cpu-float/. Options for bench.py (e.g.
# --repeat 21, --threads 1) can follow in BENCH_ARGS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
what="${1:-all}"
build="${LOWBIT_BUILD_DIR:-$root/build}"
work="$build/bench-cpu-float"
py="$root/.venv/bin/python"
models="$root/test/Import/ONNX/models"
read -r -a extra <<< "${BENCH_ARGS:-}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
ninja -C "$build" lowbit-compile >/dev/null
mkdir -p "$work"

echo "# lowbit float CPU vs ONNX Runtime $("$py" -c 'import onnxruntime; print(onnxruntime.__version__)')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "lowbit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

if [ "$what" = all ] || [ "$what" = models ]; then
  minilm="$work/all-MiniLM-L6-v2.onnx"
  if [ ! -f "$minilm" ]; then
    "$py" -m pip install -q -r "$root/examples/minilm/requirements.txt"
    "$py" "$root/examples/minilm/build_minilm_onnx.py" "$minilm"
  fi
  tokens() { echo "input_ids=$1,attention_mask=$1,token_type_ids=$1"; }
  echo
  echo "## End to end (median ms per run)"
  echo
  "$py" "$root/bench/cpu-float/bench.py" models --work "$work" \
    --compile "$build/bin/lowbit-compile" \
    --model "llama_decoder=$models/llama_decoder.onnx" \
    --model "vit_block=$models/vit_block.onnx" \
    --model "resnet_cnn_b1=$models/resnet_cnn.onnx:pixels=1x3x64x64" \
    --model "resnet_cnn_b8=$models/resnet_cnn.onnx:pixels=8x3x64x64" \
    --model "minilm_encoder_b1=$models/minilm_encoder.onnx:$(tokens 1x32)" \
    --model "minilm_encoder_b8=$models/minilm_encoder.onnx:$(tokens 8x32)" \
    --model "all-MiniLM-L6-v2_b1=$minilm:$(tokens 1x32)" \
    --model "all-MiniLM-L6-v2_b8=$minilm:$(tokens 8x32)" \
    "${extra[@]}"
fi

if [ "$what" = all ] || [ "$what" = matmul ]; then
  echo
  echo "## fp32 MatMul with a constant [K, N] weight (GFLOP/s = 2 M N K / median time)"
  echo
  "$py" "$root/bench/cpu-float/bench.py" matmul --work "$work" \
    --compile "$build/bin/lowbit-compile" "${extra[@]}"
fi
