"""lowbit: run models compiled by `lowbit-compile` from Python, with numpy.

    import lowbit
    model = lowbit.Model("model.so")
    print(model.inputs, model.outputs)
    y = model.run(x=numpy.ones((2, 4), numpy.float32))["y"]

The package is pure Python over the C interface of the library
(include/lowbit-c/lowbit.h) through ctypes; it needs only numpy.
"""

from .model import (DtypeError, Error, InputError, LoadError, Model, RunError,
                    ShapeError, TensorSpec)

__all__ = ["Model", "TensorSpec", "Error", "LoadError", "InputError",
           "ShapeError", "DtypeError", "RunError", "load"]


def load(path):
    """Same as Model(path)."""
    return Model(path)
