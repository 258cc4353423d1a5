"""Loading a compiled model library and running it on numpy arrays."""

import collections
import collections.abc
import ctypes
import os
import threading

import numpy as np

from . import _capi, _elf

__all__ = ["Model", "TensorSpec", "Error", "LoadError", "InputError",
           "ShapeError", "DtypeError", "RunError"]


class Error(Exception):
    """Any failure of the lowbit runtime. `status` is the runtime's
    lowbit_status number, or None for errors found before calling it."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class LoadError(Error, OSError):
    """The file cannot be loaded, is not a lowbit model library, speaks
    another ABI version, or holds a damaged model description."""


class InputError(Error, ValueError):
    """A missing, unknown or repeated input, or a wrong number of them."""


class ShapeError(Error, ValueError):
    """An array whose shape differs from the model's (LOWBIT_ERROR_SHAPE_MISMATCH)."""


class DtypeError(Error, TypeError):
    """An array whose dtype differs from the model's (LOWBIT_ERROR_DTYPE_MISMATCH)."""


class RunError(Error, RuntimeError):
    """Any other failure of lowbit_run."""


_STATUS_ERRORS = {
    _capi.ERROR_SHAPE_MISMATCH: ShapeError,
    _capi.ERROR_DTYPE_MISMATCH: DtypeError,
    _capi.ERROR_BAD_MODEL: LoadError,
}

TensorSpec = collections.namedtuple("TensorSpec", "name dtype shape")
TensorSpec.__doc__ = """One input or output of a model: its name, numpy dtype
(the string "bfloat16" for bfloat16, whose arrays are passed as uint16 bit
patterns) and shape (a tuple of ints)."""

# numpy dtype name of an array -> lowbit_dtype.
_DTYPE_CODES = {name: code for code, name in _capi.DTYPE_NAMES.items()}


def _storage_dtype(dtype):
    """The numpy dtype of arrays holding a TensorSpec's dtype."""
    return np.dtype("uint16") if isinstance(dtype, str) else dtype


def _dtype_name(dtype):
    return dtype if isinstance(dtype, str) else dtype.name


class Model:
    """A model library made by `lowbit-compile`.

        model = lowbit.Model("model.so")
        model.inputs          # (TensorSpec(name='x', dtype=dtype('float32'), shape=(2, 4)),)
        outputs = model.run(x=array)          # or model.run(array), model.run({"x": array})
        y = outputs["y"]

    One Model may be used from several threads at once: every concurrent run
    gets its own runtime context (the C interface's unit of thread safety),
    and the runtime does not hold the GIL while the model computes.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self._library = None
        self._lock = threading.Lock()
        self._idle_contexts = []
        self._all_contexts = []
        # A name without '/' would be looked up on the library search path.
        file = os.path.abspath(self.path)
        damage = _elf.check_shared_object(file)
        if damage:
            raise LoadError(damage.replace(file, self.path, 1))
        try:
            library = ctypes.CDLL(file, mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as error:
            raise LoadError(f"cannot load {self.path}: {error}") from None
        if _capi.bind(library):
            raise LoadError(f"{self.path} is not a lowbit model library "
                            "(it lacks the lowbit C interface)")
        version = library.lowbit_abi_version()
        if version != _capi.ABI_VERSION:
            raise LoadError(f"{self.path} was built for lowbit ABI version "
                            f"{version}; this package speaks {_capi.ABI_VERSION}")
        self._library = library
        context = self._create_context()
        self.inputs = self._describe(context, library.lowbit_num_inputs,
                                     library.lowbit_input_info)
        self.outputs = self._describe(context, library.lowbit_num_outputs,
                                      library.lowbit_output_info)
        self._idle_contexts.append(context)

    # -- contexts -----------------------------------------------------------

    def _create_context(self):
        handle = _capi.new_context_handle()
        status = self._library.lowbit_context_create(ctypes.byref(handle))
        if status != _capi.OK:
            reason = self._library.lowbit_status_string(status).decode()
            raise _STATUS_ERRORS.get(status, RunError)(
                f"cannot create a context for {self.path}: {reason}", status)
        with self._lock:
            self._all_contexts.append(handle)
        return handle

    def _acquire(self):
        with self._lock:
            if self._library is None:
                raise Error(f"{self.path}: the model is closed")
            if self._idle_contexts:
                return self._idle_contexts.pop()
        return self._create_context()

    def _release(self, context):
        with self._lock:
            if self._library is not None:
                self._idle_contexts.append(context)

    def close(self):
        """Destroys every context. The library stays mapped (the dynamic
        loader unloads it with the last reference); runs after close raise
        Error."""
        with self._lock:
            library, self._library = self._library, None
            contexts, self._all_contexts, self._idle_contexts = \
                self._all_contexts, [], []
        if library is not None:
            for context in contexts:
                library.lowbit_context_destroy(context)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_library", None) is not None:
            try:
                self.close()
            except Exception:  # interpreter shutdown may have torn ctypes down
                pass

    # -- description --------------------------------------------------------

    @staticmethod
    def _describe(context, count_fn, info_fn):
        specs = []
        for index in range(count_fn(context)):
            info = _capi.TensorInfo()
            status = info_fn(context, index, ctypes.byref(info))
            if status != _capi.OK:
                raise LoadError(f"cannot read the description of tensor {index}",
                                status)
            name = _capi.DTYPE_NAMES.get(info.dtype)
            if name is None:
                raise LoadError(f"tensor {index} has unknown dtype {info.dtype}")
            dtype = "bfloat16" if name == "bfloat16" else np.dtype(name)
            specs.append(TensorSpec(info.name.decode(), dtype,
                                    tuple(info.shape[d] for d in range(info.rank))))
        return tuple(specs)

    def __repr__(self):
        def fmt(specs):
            return ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in specs)
        return f"<lowbit.Model {self.path} ({fmt(self.inputs)}) -> ({fmt(self.outputs)})>"

    # -- running ------------------------------------------------------------

    def _bind(self, args, named):
        """The arrays in the model's input order, from positional arrays, one
        sequence or mapping, and keyword arguments."""
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            named = {**args[0], **named}
            args = ()
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        count = len(self.inputs)
        if len(args) > count:
            raise InputError(f"the model takes {count} input"
                             f"{'' if count == 1 else 's'}; got {len(args)} "
                             "positional arrays")
        values = list(args) + [None] * (count - len(args))
        index = {spec.name: i for i, spec in enumerate(self.inputs)}
        for name, value in named.items():
            if name not in index:
                known = ", ".join(f"'{s.name}'" for s in self.inputs)
                raise InputError(f"the model has no input '{name}' "
                                 f"(its inputs: {known})")
            if values[index[name]] is not None:
                raise InputError(f"input '{name}' is given twice")
            values[index[name]] = value
        for spec, value in zip(self.inputs, values):
            if value is None:
                raise InputError(f"input '{spec.name}' is not given")
        return values

    @staticmethod
    def _array(value, spec, index):
        """A C-ordered array for one input; arrays keep their dtype (the
        runtime checks it), other values take the model's."""
        if not isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=_storage_dtype(spec.dtype))
        if value.dtype.byteorder == ">":
            raise DtypeError(f"input {index} ('{spec.name}') is a big-endian "
                             f"array ({value.dtype.str}); pass a native one "
                             "(array.astype(array.dtype.newbyteorder('=')))")
        # Not np.ascontiguousarray: it turns a 0-d array (a scalar input)
        # into shape [1].
        return value if value.flags.c_contiguous else value.copy(order="C")

    @staticmethod
    def _dtype_code(array, spec, index):
        name = array.dtype.name
        if _dtype_name(spec.dtype) == "bfloat16" and name == "uint16":
            return _DTYPE_CODES["bfloat16"]
        code = _DTYPE_CODES.get(name)
        if code is None:
            raise DtypeError(f"input {index} ('{spec.name}') has dtype {name}, "
                             f"which no lowbit model takes; the model expects "
                             f"{spec.dtype}")
        return code

    @staticmethod
    def _tensor(array, code):
        shape = (ctypes.c_int64 * max(array.ndim, 1))(*array.shape)
        tensor = _capi.Tensor(array.ctypes.data, code, array.ndim, shape)
        return tensor, shape

    def run(self, *args, **named):
        """Runs the model. Inputs are numpy arrays given positionally in the
        model's order, as one list or dict, or by name as keyword arguments.
        Returns a dict of the outputs (new arrays) in the model's order.
        Raises InputError, ShapeError, DtypeError or RunError with the
        runtime's message when an input does not fit the model."""
        values = self._bind(args, named)
        arrays = [self._array(v, s, i)
                  for i, (v, s) in enumerate(zip(values, self.inputs))]
        keep = []
        inputs = (_capi.Tensor * max(len(arrays), 1))()
        for i, (array, spec) in enumerate(zip(arrays, self.inputs)):
            inputs[i], shape = self._tensor(array, self._dtype_code(array, spec, i))
            keep.append(shape)
        results = [np.empty(spec.shape, _storage_dtype(spec.dtype))
                   for spec in self.outputs]
        outputs = (_capi.Tensor * max(len(results), 1))()
        for i, (array, spec) in enumerate(zip(results, self.outputs)):
            code = _DTYPE_CODES[_dtype_name(spec.dtype)]
            outputs[i], shape = self._tensor(array, code)
            keep.append(shape)

        context = self._acquire()
        try:
            status = self._library.lowbit_run(context, inputs, len(arrays),
                                              outputs, len(results))
            message = (self._library.lowbit_last_error(context).decode()
                       if status != _capi.OK else "")
        finally:
            self._release(context)
        if status != _capi.OK:
            if not message:
                message = self._library.lowbit_status_string(status).decode()
            raise _STATUS_ERRORS.get(status, RunError)(message, status)
        return {spec.name: array for spec, array in zip(self.outputs, results)}

    def __call__(self, *args, **named):
        """Like run, but returns the one output array, or a tuple of them in
        the model's order."""
        results = tuple(self.run(*args, **named).values())
        return results[0] if len(results) == 1 else results
