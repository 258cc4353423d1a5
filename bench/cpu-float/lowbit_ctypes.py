"""Minimal ctypes calls into a model library's C interface (lowbit.h), enough
to run a compiled model on numpy arrays and time lowbit_run alone."""

import ctypes
import os

import numpy as np

# lowbit_dtype (numbered like ONNX TensorProto.DataType) -> numpy.
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
          6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
          11: np.float64, 12: np.uint32, 13: np.uint64}


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_elements", ctypes.c_int64), ("num_bytes", ctypes.c_int64)]


class Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class Model:
    """One loaded library and one context. `run` keeps references to every
    buffer it hands to the library."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(os.path.abspath(path), mode=os.RTLD_LOCAL)
        lib = self.lib
        lib.lowbit_context_create.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        lib.lowbit_context_destroy.argtypes = [ctypes.c_void_p]
        lib.lowbit_num_inputs.argtypes = [ctypes.c_void_p]
        lib.lowbit_num_inputs.restype = ctypes.c_int64
        lib.lowbit_num_outputs.argtypes = [ctypes.c_void_p]
        lib.lowbit_num_outputs.restype = ctypes.c_int64
        for fn in (lib.lowbit_input_info, lib.lowbit_output_info):
            fn.argtypes = [ctypes.c_void_p, ctypes.c_int64,
                           ctypes.POINTER(TensorInfo)]
        lib.lowbit_run.argtypes = [ctypes.c_void_p, ctypes.POINTER(Tensor),
                                   ctypes.c_int64, ctypes.POINTER(Tensor),
                                   ctypes.c_int64]
        lib.lowbit_last_error.argtypes = [ctypes.c_void_p]
        lib.lowbit_last_error.restype = ctypes.c_char_p
        self.ctx = ctypes.c_void_p()
        if lib.lowbit_context_create(ctypes.byref(self.ctx)) != 0:
            raise RuntimeError(f"{path}: lowbit_context_create failed")
        self.inputs = [self._info(lib.lowbit_input_info, i)
                       for i in range(lib.lowbit_num_inputs(self.ctx))]
        self.outputs = [self._info(lib.lowbit_output_info, i)
                        for i in range(lib.lowbit_num_outputs(self.ctx))]

    def _info(self, fn, index):
        info = TensorInfo()
        if fn(self.ctx, index, ctypes.byref(info)) != 0:
            raise RuntimeError("tensor info query failed")
        shape = tuple(info.shape[d] for d in range(info.rank))
        return info.name.decode(), DTYPES[info.dtype], shape, info.dtype

    def set_num_threads(self, n):
        """False when the library predates threads (then it uses one)."""
        fn = getattr(self.lib, "lowbit_set_num_threads", None)
        if fn is None:
            return False
        fn.argtypes = [ctypes.c_int64]
        fn(n)
        return True

    def prepare(self, feeds):
        """Argument arrays for lowbit_run: (inputs, outputs, arrays)."""
        arrays = [np.ascontiguousarray(feeds[name], dtype)
                  for name, dtype, _, _ in self.inputs]
        outs = [np.empty(shape, dtype) for _, dtype, shape, _ in self.outputs]
        shapes = [(ctypes.c_int64 * max(1, a.ndim))(*a.shape)
                  for a in arrays + outs]
        infos = self.inputs + self.outputs
        tensors = [Tensor(a.ctypes.data, info[3], a.ndim, s)
                   for a, info, s in zip(arrays + outs, infos, shapes)]
        ins = (Tensor * max(1, len(arrays)))(*tensors[:len(arrays)])
        outs_c = (Tensor * max(1, len(outs)))(*tensors[len(arrays):])
        return ins, outs_c, (arrays, outs, shapes)

    def run_prepared(self, prepared):
        ins, outs, (arrays, results, _) = prepared
        status = self.lib.lowbit_run(self.ctx, ins, len(arrays), outs,
                                     len(results))
        if status != 0:
            raise RuntimeError(self.lib.lowbit_last_error(self.ctx).decode())
        return results

    def run(self, feeds):
        prepared = self.prepare(feeds)
        return self.run_prepared(prepared)
