# -*- Python -*-
# lit configuration for lowbit's IR tests.

import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "lowbit"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lowbit_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.lowbit_tools_dir, append_path=True)

tool_dirs = [config.lowbit_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["lowbit-opt", "lowbit-import", "lowbit-compile", "lowbit-run",
     "lowbit-calibrate", "lowbit-report"], tool_dirs)
# use_default_substitutions() maps %python to lit's own interpreter, which
# lacks numpy and onnx; the venv's must win.
config.substitutions = [s for s in config.substitutions if s[0] != "%python"]
config.substitutions.append(("%python", config.python_venv))
# Headers for tests that build C programs against a model library.
config.substitutions.append(
    ("%lowbit_include", os.path.join(config.lowbit_src_root, "include")))
# The Python package, for PYTHONPATH.
config.substitutions.append(
    ("%lowbit_python", os.path.join(config.lowbit_src_root, "python")))

# A feature "onnx-op-<Op>" for every default-domain op the importer handles,
# so that end-to-end tests of ops whose import is still to come declare
# "REQUIRES: onnx-op-Conv" and start running once it lands.
try:
    ops = subprocess.run(
        [os.path.join(config.lowbit_tools_dir, "lowbit-import"),
         "--list-supported-ops"],
        capture_output=True, text=True, timeout=60).stdout
    for row in ops.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == "ai.onnx":
            config.available_features.add("onnx-op-" + cells[1])
except (OSError, subprocess.SubprocessError):
    pass

# The ONNX backend node tests (Debian's libonnx-testdata).
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-node-tests")

# GPU tests: compiling cubins needs ptxas (on PATH or in /usr/local/cuda,
# where the NVVM target looks); running them needs a CUDA driver.
import shutil
if shutil.which("ptxas") or os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda-driver")
except OSError:
    pass
