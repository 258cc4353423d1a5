#!/usr/bin/env bash
# Renders a lowbit report page in headless Chromium and saves a screenshot,
# to check that the page draws as intended.
#
#   scripts/screenshot_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
#
# Installs Debian's chromium package when it is missing (needs root or sudo);
# the build and the tests do not need it.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
  exit 1
fi
html=$(realpath "$1")
out=$(realpath -m "$2")
size=${3:-1280x1600}
[[ -f "$html" ]] || { echo "error: $1: no such file" >&2; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  echo "installing Debian's chromium package..." >&2
  $sudo_cmd apt-get install -y --no-install-recommends chromium >&2
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --window-size="${size/x/,}" \
  --screenshot="$out" "file://$html" >/dev/null 2>&1
[[ -s "$out" ]] || { echo "error: chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
