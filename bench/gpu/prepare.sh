#!/usr/bin/env bash
# Builds everything bench/gpu/run.sh needs, on a machine with lowbit built
# (no GPU needed): model libraries for --target cuda, inputs and reference
# outputs, and the generated GEMV kernels as cubins.
#
#   bench/gpu/prepare.sh BUILD_DIR OUT_DIR [CHIP]     (CHIP: sm_90 default)
#
# PATH must reach ptxas (the CUDA toolkit's bin/).
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
chip=${3:-sm_90}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
py=${PYTHON:-$src/.venv/bin/python}
compile() { "$build/bin/lowbit-compile" --quiet --target cuda --gpu-chip "$chip" "$@"; }
rm -rf "$out" && mkdir -p "$out/models" "$out/gemv" "$out/cubin" "$out/resident"

# Float models of the end-to-end tests, with onnxruntime's outputs.
for name in matmul-add gemm conv-import layer-norm-import integers; do
  model=$src/test/e2e/$name.onnxtext
  compile "$model" -o "$out/models/$name.so"
  "$py" "$src/test/e2e/Inputs/make_inputs.py" "$model" "$out/models/$name.in"
  "$py" "$here/reference_outputs.py" "$model" "$out/models/$name.in" \
        "$out/models/$name.want"
done
for name in math layer-norm rms-norm; do
  compile "$src/test/e2e/Inputs/$name.mlir" -o "$out/models/$name.so"
  "$py" "$src/test/e2e/Inputs/make_inputs.py" \
        "$src/test/e2e/Inputs/$name.onnxtext" "$out/models/$name.in"
  "$py" "$here/reference_outputs.py" "$src/test/e2e/Inputs/$name.onnxtext" \
        "$out/models/$name.in" "$out/models/$name.want"
done
# Kernels for another GPU: loading them must fail with a clear error.
compile "$src/test/e2e/matmul-add.onnxtext" -o "$out/models/wrong-chip.so" \
        --gpu-chip sm_100a --gpu-features +ptx86

# W4A16 linears, weights as inputs: M N K GROUP [flags].
while read -r m n k g flags; do
  name=m${m}_n${n}_k${k}_g${g}${flags//[ -]/_}
  "$py" "$here/make_gemv_model.py" "$m" "$n" "$k" "$g" "$out/gemv/$name.mlir" $flags
  compile "$out/gemv/$name.mlir" -o "$out/gemv/$name.so"
done <<'LIST'
1 4096 4096 128
4 14336 4096 128
8 4096 14336 128
16 4096 4096 128
3 4096 4096 128 --zero-points --bias --f16-scales
2 1024 2048 2048 --bias
LIST

# A W4A16 linear as a quantized model holds it: weights are constants (which
# the runtime uploads once), x is the only input.
"$py" "$here/make_gemv_model.py" 1 4096 4096 128 "$out/resident/m1_n4096_k4096.mlir" \
      --constants "$out/resident/m1_n4096_k4096.npz"
compile "$out/resident/m1_n4096_k4096.mlir" -o "$out/resident/m1_n4096_k4096.so"
rm "$out/resident/m1_n4096_k4096.mlir"

# The GEMV kernels alone, for timing: batch 1..16 on three layer shapes.
for m in 1 2 4 8 16; do
  for nk in 4096x4096 14336x4096 4096x14336; do
    n=${nk%x*} k=${nk#*x}
    mlir=$out/cubin/m${m}_n${n}_k${k}.mlir
    "$py" "$here/make_gemv_model.py" "$m" "$n" "$k" 128 "$mlir"
    compile "$mlir" --compile-to=llvm -o "$mlir.llvm"
    "$py" "$here/extract_cubin.py" "$mlir.llvm" lowbit_gemv_kernels \
          "$out/cubin/gemv_w4_m${m}_n${n}_k${k}_g128_s32.cubin"
    rm -f "$mlir" "$mlir.llvm"
  done
done
# The float path's product kernel (one thread per output, K in a loop).
cat > "$out/cubin/float.mlir" <<'MLIR'
func.func @main(%x: tensor<1x4096xf32>, %w: tensor<4096x4096xf32>) -> tensor<1x4096xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4096xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4096xf32>, tensor<4096x4096xf32>) outs(%f : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
MLIR
compile "$out/cubin/float.mlir" -o "$out/models/float-linear.so"
compile "$out/cubin/float.mlir" --compile-to=llvm -o "$out/cubin/float.llvm"
"$py" "$here/extract_cubin.py" "$out/cubin/float.llvm" main_kernel_0 \
      "$out/cubin/float_matmul_m1_n4096_k4096.cubin"
rm -f "$out/cubin/float.mlir" "$out/cubin/float.llvm"
cp "$here"/*.py "$here"/run.sh "$out/"
du -sh "$out"
