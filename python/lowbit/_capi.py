"""ctypes declarations of the C interface every lowbit model library exports
(include/lowbit-c/lowbit.h). Kept in step with that header by hand; the ABI
version check in `bind` catches a mismatch."""

import ctypes

ABI_VERSION = 1

# lowbit_status
OK = 0
ERROR_INVALID_ARGUMENT = 1
ERROR_SHAPE_MISMATCH = 2
ERROR_DTYPE_MISMATCH = 3
ERROR_ALIASING = 4
ERROR_OUT_OF_MEMORY = 5
ERROR_BAD_MODEL = 6

# lowbit_dtype (numbered as ONNX's TensorProto.DataType) to numpy dtype names.
# bfloat16 has no numpy dtype: its tensors travel as uint16 bit patterns.
DTYPE_NAMES = {
    1: "float32",
    2: "uint8",
    3: "int8",
    4: "uint16",
    5: "int16",
    6: "int32",
    7: "int64",
    9: "bool",
    10: "float16",
    11: "float64",
    12: "uint32",
    13: "uint64",
    16: "bfloat16",
}


class TensorInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int64),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("num_elements", ctypes.c_int64),
        ("num_bytes", ctypes.c_int64),
    ]


class Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int64),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
    ]


_CONTEXT = ctypes.c_void_p

# name: (restype, argtypes)
_SIGNATURES = {
    "lowbit_abi_version": (ctypes.c_uint32, []),
    "lowbit_context_create": (ctypes.c_int, [ctypes.POINTER(_CONTEXT)]),
    "lowbit_context_destroy": (None, [_CONTEXT]),
    "lowbit_num_inputs": (ctypes.c_int64, [_CONTEXT]),
    "lowbit_num_outputs": (ctypes.c_int64, [_CONTEXT]),
    "lowbit_input_info": (ctypes.c_int,
                          [_CONTEXT, ctypes.c_int64, ctypes.POINTER(TensorInfo)]),
    "lowbit_output_info": (ctypes.c_int,
                           [_CONTEXT, ctypes.c_int64, ctypes.POINTER(TensorInfo)]),
    "lowbit_run": (ctypes.c_int, [_CONTEXT, ctypes.POINTER(Tensor), ctypes.c_int64,
                                  ctypes.POINTER(Tensor), ctypes.c_int64]),
    "lowbit_last_error": (ctypes.c_char_p, [_CONTEXT]),
    "lowbit_status_string": (ctypes.c_char_p, [ctypes.c_int]),
}


def bind(library):
    """Sets the signatures of the C interface on a loaded library. Returns the
    names of the functions it lacks (empty when it has them all)."""
    missing = []
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            function = getattr(library, name)
        except AttributeError:
            missing.append(name)
            continue
        function.restype = restype
        function.argtypes = argtypes
    return missing


def new_context_handle():
    return _CONTEXT()
