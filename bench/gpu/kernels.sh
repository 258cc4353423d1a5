#!/usr/bin/env bash
# The generated W4A16, W8A16 and W8A8 kernels alone, as cubins for
# bench_gemv.py (no GPU needed); prepare.sh runs it, and on its own it
# builds the kernels of another build for bench_gemv.py's BEFORE_DIR:
#
#   bench/gpu/kernels.sh BUILD_DIR OUT_DIR [CHIP]    (writes OUT_DIR/cubin)
#
# GEMV_ROWS picks the rows (default 1 2 4 8 16 64 256). PATH must reach
# ptxas (the CUDA toolkit's bin/).
source "$(dirname "$0")/common.sh"
mkdir -p "$out/cubin"

# The kernels alone, for timing: W4 (g128) and W8 (per channel) at batch 1
# to 256 on three layer shapes, as lowbit-compile generates them, and with
# other options for comparison: for the GEMM (M > 16) 2 and 4 n-tiles per
# warp and no cp.async stages; at 3-16 rows the former defaults (2 n-tiles,
# 4 warps) and x rounded in each block; at 1 and 2 rows the tensor cores
# and the CUDA cores; at 2-8 rows the mma operands swapped or not; at 2-16
# rows with K = 14336 16 warps per block, with and without the K split.
extract() {  # MLIR OPTIONS...
  local mlir=$1 kernel
  shift
  # An option another (older) build lacks skips that form alone.
  if ! "$build/bin/lowbit-opt" "$mlir" --lowbit-gpu-qlinear-gemv="$*" \
      --lowbit-gpu-pipeline="chip=$chip" -o "$mlir.llvm" 2> "$mlir.err"; then
    [ -n "$*" ] || { cat "$mlir.err" >&2; return 1; }
    echo "kernels.sh: skipped ($*): $(head -1 "$mlir.err")" >&2
    rm -f "$mlir.err"
    return 0
  fi
  rm -f "$mlir.err"
  kernel=$(grep -o 'gemv_w[48][0-9a-z_]*' "$mlir.llvm" | head -1)
  "$py" "$here/extract_cubin.py" "$mlir.llvm" lowbit_gemv_kernels \
        "$out/cubin/$kernel.cubin"
  rm -f "$mlir.llvm"
}
for bits in 4 8; do
  for m in ${GEMV_ROWS:-1 2 4 8 16 64 256}; do
    for nk in 4096x4096 14336x4096 4096x14336; do
      n=${nk%x*} k=${nk#*x}
      g=$([ "$bits" = 4 ] && echo 128 || echo "$k")
      mlir=$out/cubin/m${m}_n${n}_k${k}.mlir
      "$py" "$here/make_gemv_model.py" "$m" "$n" "$k" "$g" "$mlir" --bits "$bits"
      extract "$mlir" ""
      if [ "$m" -gt 16 ]; then
        extract "$mlir" "tensor-core-tiles=4 tensor-core-wide-tiles=4"
        extract "$mlir" "tensor-core-tiles=2 tensor-core-wide-tiles=2"
        # Without the cp.async stages: x and codes loaded from global memory.
        extract "$mlir" "tensor-core-f16-stages=0"
      elif [ "$m" -gt 2 ]; then
        extract "$mlir" "tensor-core-tiles=2 warps-per-block=4"
        extract "$mlir" "tensor-core-f16-x-min-rows=17"
      else
        extract "$mlir" "tensor-core-min-rows=1"
        extract "$mlir" "tensor-core-min-rows=3"
      fi
      if [ "$m" -ge 2 ] && [ "$m" -le 8 ]; then
        # Codes as A and x as B (tensor-core-swap-ab): the default for 4-bit
        # codes, so these without it, 8-bit ones with it; and with 4 n-tiles.
        extract "$mlir" "tensor-core-swap-ab=$([ "$bits" = 4 ] && echo -1 || echo 1)"
        extract "$mlir" "tensor-core-swap-ab=1 tensor-core-tiles=4"
      fi
      if [ "$m" -ge 2 ] && [ "$m" -le 16 ] && [ "$k" = 14336 ]; then
        # 16 warps per block instead of K split across blocks: the same
        # warps in flight without the kernel that adds the partial sums.
        extract "$mlir" "warps-per-block=16 tensor-core-max-k-splits=1"
        extract "$mlir" "warps-per-block=16"
      fi
      rm -f "$mlir"
    done
  done
done
# W8A8 (x quantized per token, int8 mma): the kernels alone, as
# lowbit-compile generates them, without the cp.async stages, and beyond
# 16 rows with 4 n-tiles per warp and with 8 warps per block.
for m in ${GEMV_ROWS:-1 4 8 16 64 256}; do
  for nk in 4096x4096 14336x4096 4096x14336; do
    n=${nk%x*} k=${nk#*x}
    mlir=$out/cubin/a8_m${m}_n${n}_k${k}.mlir
    "$py" "$here/make_gemv_model.py" "$m" "$n" "$k" "$k" "$mlir" --bits 8 \
          --act-bits 8
    extract "$mlir" ""
    if [ "$m" -gt 2 ]; then  # without the cp.async stages
      extract "$mlir" "tensor-core-stages=0"
    fi
    if [ "$m" -gt 16 ]; then
      extract "$mlir" "tensor-core-tiles=4 tensor-core-wide-tiles=4"
      # 8 warps per block: 128 x 128 outputs in 3 stages, 256 x 64 in 2.
      extract "$mlir" "warps-per-block=8 tensor-core-warp-rows=2 tensor-core-stages=3"
      extract "$mlir" "warps-per-block=8 tensor-core-warp-rows=4 tensor-core-stages=2"
    fi
    rm -f "$mlir"
  done
done
