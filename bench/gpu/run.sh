#!/usr/bin/env bash
# Checks and times lowbit's GPU output on this machine's GPU (needs an NVIDIA
# driver, python3 with numpy, cupy and torch; no lowbit build).
#
#   bench/gpu/run.sh ARTIFACT_DIR       (made by bench/gpu/prepare.sh)
set -uo pipefail
dir=$1
py=${PYTHON:-python3}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
date -u
status=0
echo "== model libraries through the C ABI"
PYTHONUNBUFFERED=1 "$py" "$dir/check_models.py" "$dir" || status=1
echo "== generated GEMV kernels vs cuBLAS"
PYTHONUNBUFFERED=1 "$py" "$dir/bench_gemv.py" "$dir" || status=1
echo "== decoder block end to end: lowbit float and W4A16 vs torch"
PYTHONUNBUFFERED=1 "$py" "$dir/bench_decoder.py" "$dir" || status=1
exit $status
