#!/usr/bin/env bash
# Builds everything bench/gpu/run.sh needs, on a machine with lowbit built
# (no GPU needed): model libraries for --target cuda, inputs and reference
# outputs, and the generated GEMV kernels as cubins.
#
#   bench/gpu/prepare.sh BUILD_DIR OUT_DIR [CHIP]     (CHIP: sm_90 default)
#
# PATH must reach ptxas (the CUDA toolkit's bin/).
source "$(dirname "$0")/common.sh"
compile() { "$build/bin/lowbit-compile" --quiet --target cuda --gpu-chip "$chip" "$@"; }
rm -rf "$out" && mkdir -p "$out/models" "$out/gemv" "$out/cubin" "$out/resident" \
  "$out/flinear" "$out/decoder"
# A float lowbit.linear with its weight (and bias) as inputs: M N K [bias].
float_linear() {
  local m=$1 n=$2 k=$3 bias=${4:-} args ops types
  args="%x: tensor<${m}x${k}xf32>, %w: tensor<${n}x${k}xf32>"
  ops="%x, %w" types="tensor<${m}x${k}xf32>, tensor<${n}x${k}xf32>"
  if [ -n "$bias" ]; then
    args+=", %b: tensor<${n}xf32>" ops+=", %b" types+=", tensor<${n}xf32>"
  fi
  printf 'func.func @main(%s) -> tensor<%sx%sxf32> {\n  %%y = lowbit.linear %s : (%s) -> tensor<%sx%sxf32>\n  return %%y : tensor<%sx%sxf32>\n}\n' \
    "$args" "$m" "$n" "$ops" "$types" "$m" "$n" "$m" "$n"
}

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

# W4A16 and W8A16 linears, weights as inputs: M N K GROUP [flags]. From 2
# rows (4-bit codes) or 3 (8-bit) on the tensor-core kernel, beyond 16 rows
# its GEMM form.
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
40 1024 2048 128 --zero-points --bias
64 4096 4096 128
256 2048 4096 128 --f16-scales
1 4096 4096 4096 --bits 8
2 1024 2048 128 --bits 8 --zero-points --bias
8 4096 4096 128 --bits 8
5 1024 2048 2048 --bits 8 --zero-points --bias --f16-scales
300 2048 1024 1024 --bits 8 --bias
2 1024 8192 128 --zero-points --bias --f16-scales
1 1024 4096 4096 --bits 8 --zero-points
LIST
# W8A8 linears (per-token activation codes; 1-2 rows on the CUDA cores).
for spec in "1 1024 2048" "2 1024 4096 --bias" "16 2048 1024 --bias" "64 1024 4096" "300 2048 1024 --bias"; do
  set -- $spec
  name=a8_m$1_n$2_k$3${4:+_bias}
  "$py" "$here/make_gemv_model.py" "$1" "$2" "$3" "$3" "$out/gemv/$name.mlir" \
        --bits 8 --act-bits 8 ${4:-}
  compile "$out/gemv/$name.mlir" -o "$out/gemv/$name.so"
done

# A W4A16 linear as a quantized model holds it: weights are constants (which
# the runtime uploads once), x is the only input.
"$py" "$here/make_gemv_model.py" 1 4096 4096 128 "$out/resident/m1_n4096_k4096.mlir" \
      --constants "$out/resident/m1_n4096_k4096.npz"
compile "$out/resident/m1_n4096_k4096.mlir" -o "$out/resident/m1_n4096_k4096.so"
rm "$out/resident/m1_n4096_k4096.mlir"

# The kernels alone, for timing (kernels.sh).
"$here/kernels.sh" "$build" "$out" "$chip"
# Float linears through the generated f32 GEMV: libraries for the C ABI
# check (weights as inputs) and the kernels alone for timing.
for spec in "1 4096 4096" "4 1024 2048 bias" "16 2048 1024 bias" "3 512 768"; do
  set -- $spec
  float_linear "$@" > "$out/flinear/m$1_n$2_k$3${4:+_bias}.mlir"
  compile "$out/flinear/m$1_n$2_k$3${4:+_bias}.mlir" -o "$out/flinear/m$1_n$2_k$3${4:+_bias}.so"
done
rm -f "$out"/flinear/*.mlir
for m in 1 4 16; do
  for nk in 4096x4096 14336x4096 4096x14336; do
    n=${nk%x*} k=${nk#*x}
    float_linear "$m" "$n" "$k" > "$out/cubin/f.mlir"
    compile "$out/cubin/f.mlir" --compile-to=llvm -o "$out/cubin/f.llvm"
    "$py" "$here/extract_cubin.py" "$out/cubin/f.llvm" lowbit_gemv_kernels \
          "$out/cubin/gemv_f32_m${m}_n${n}_k${k}.cubin"
  done
done
rm -f "$out/cubin/f.mlir" "$out/cubin/f.llvm"
# The online Hadamard transform, against the dense numpy reference.
compile "$src/test/e2e/Inputs/hadamard.mlir" -o "$out/models/hadamard.so"
"$py" "$src/test/e2e/Inputs/hadamard_reference.py" inputs "$out/models/hadamard.in"
cp "$src/test/e2e/Inputs/hadamard_reference.py" "$out/"
# The end-to-end decoder block (bench_decoder.py): float and W4A16 (RTN,
# g128) libraries at 1 and 16 tokens, for hidden 1024 (also W4A16 without
# epilogue fusion) and hidden 4096 (prefix h4096_; about 1 GB of f32
# weights per float library). DECODER_CONFIGS picks the sizes.
for config in ${DECODER_CONFIGS:-h1024 h4096}; do
  prefix=$([ "$config" = h1024 ] || echo "${config}_")
  for seq in 1 16; do
    onnx=$out/decoder/block$seq.onnx
    "$py" "$here/decoder.py" onnx "$seq" "$onnx" "$config"
    compile "$onnx" -o "$out/decoder/${prefix}f32_s$seq.so"
    compile "$onnx" --quant w4a16 --quant-method rtn \
            -o "$out/decoder/${prefix}w4a16_s$seq.so"
    if [ "$config" = h1024 ]; then
      compile "$onnx" --quant w4a16 --quant-method rtn \
              --gpu-fuse-epilogues=false -o "$out/decoder/w4a16_unfused_s$seq.so"
    fi
    rm "$onnx"
  done
done
# A float product written as linalg.matmul (not lowbit.linear) with the
# weight as an input: the generic mapping, with its K reduction split.
cat > "$out/models/float.mlir" <<'MLIR'
func.func @main(%x: tensor<1x4096xf32>, %w: tensor<4096x4096xf32>) -> tensor<1x4096xf32> {
  %c = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4096xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x4096xf32>, tensor<4096x4096xf32>) outs(%f : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
MLIR
compile "$out/models/float.mlir" -o "$out/models/float-linear.so"
rm "$out/models/float.mlir"
cp "$here"/*.py "$here"/run.sh "$out/"
du -sh "$out"
