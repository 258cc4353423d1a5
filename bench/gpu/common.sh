# Sourced by prepare.sh and kernels.sh with their arguments BUILD_DIR
# OUT_DIR [CHIP]: the build, the output folder and the chip (sm_90 by
# default), this folder, the source tree and its Python.
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
chip=${3:-sm_90}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
py=${PYTHON:-$src/.venv/bin/python}
