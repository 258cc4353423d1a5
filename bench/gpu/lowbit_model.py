"""A model library compiled by lowbit, run from numpy through its C ABI.

    model = LowbitModel("model.so")
    outputs = model.run([x, ...])        # numpy arrays in, numpy arrays out

Needs only ctypes and numpy (no lowbit build), so it runs on any machine
that can load the library, a GPU machine included.
"""

import ctypes

import numpy as np

_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16,
           6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16,
           11: np.float64, 12: np.uint32, 13: np.uint64}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}


class _TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("num_elements", ctypes.c_int64),
                ("num_bytes", ctypes.c_int64)]


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int64),
                ("shape", ctypes.POINTER(ctypes.c_int64))]


class LowbitError(RuntimeError):
    pass


class LowbitModel:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
        lib = self.lib
        lib.lowbit_last_error.restype = ctypes.c_char_p
        lib.lowbit_status_string.restype = ctypes.c_char_p
        lib.lowbit_num_inputs.restype = ctypes.c_int64
        lib.lowbit_num_outputs.restype = ctypes.c_int64
        self.ctx = ctypes.c_void_p()
        status = lib.lowbit_context_create(ctypes.byref(self.ctx))
        if status != 0:
            raise LowbitError(f"lowbit_context_create: status {status}")
        self.inputs = [self._info(lib.lowbit_input_info, i)
                       for i in range(lib.lowbit_num_inputs(self.ctx))]
        self.outputs = [self._info(lib.lowbit_output_info, i)
                        for i in range(lib.lowbit_num_outputs(self.ctx))]

    def _info(self, query, index):
        info = _TensorInfo()
        if query(self.ctx, ctypes.c_int64(index), ctypes.byref(info)) != 0:
            raise LowbitError("cannot query a tensor")
        shape = tuple(info.shape[d] for d in range(info.rank))
        return info.name.decode(), np.dtype(_DTYPES[info.dtype]), shape

    def run(self, arrays, outputs=None):
        """Runs the model; returns the outputs (new arrays unless given)."""
        keep = []

        def tensor(array):
            array = np.ascontiguousarray(array)
            shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
            keep.append((array, shape))
            return _Tensor(array.ctypes.data, _CODES[array.dtype], array.ndim,
                           shape)

        if outputs is None:
            outputs = [np.empty(shape, dtype)
                       for _, dtype, shape in self.outputs]
        ins = (_Tensor * max(len(arrays), 1))(*[tensor(a) for a in arrays])
        outs = (_Tensor * max(len(outputs), 1))(*[tensor(o) for o in outputs])
        status = self.lib.lowbit_run(self.ctx, ins, ctypes.c_int64(len(arrays)),
                                     outs, ctypes.c_int64(len(outputs)))
        if status != 0:
            raise LowbitError(
                self.lib.lowbit_status_string(status).decode() + ": " +
                self.lib.lowbit_last_error(self.ctx).decode())
        return outputs

    def __del__(self):
        if getattr(self, "ctx", None):
            self.lib.lowbit_context_destroy(self.ctx)
            self.ctx = None
