#!/usr/bin/env bash
# Idempotent set-up for building and testing lowbit on Debian bookworm.
#  - Debian packages: LLVM/MLIR 22, ONNX, protobuf, GoogleTest, Google Benchmark, Ninja.
#  - A Python venv (.venv) from PyPI, used only by tests, references and benchmarks.
# Quick when everything is already there. Exits 1 with a clear message when something
# cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

die() { echo "error: setup: $*" >&2; exit 1; }

debian_packages=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libonnx-dev libprotobuf-dev protobuf-compiler
  ninja-build cmake g++ ccache libgtest-dev googletest libbenchmark-dev
  libonnx-testdata
)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed"
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install: ${missing[*]} (is this Debian bookworm with LLVM 22 in its sources?)"
fi

# Python venv for tests, references and benchmarks (never used by the compiler itself).
venv="$root/.venv"
stamp="$venv/.requirements.stamp"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating Python venv in .venv"
  python3 -m venv "$venv" || die "python3 -m venv failed"
fi
if [ ! -f "$stamp" ] || ! cmp -s "$root/requirements.txt" "$stamp"; then
  echo "setup: installing Python requirements (requirements.txt)"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
  "$venv/bin/python" -m pip install -q -r "$root/requirements.txt" || die "pip install -r requirements.txt failed"
  cp "$root/requirements.txt" "$stamp"
fi
echo "setup: ok"
