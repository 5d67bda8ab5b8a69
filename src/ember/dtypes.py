"""Ember's dtype objects, the default dtype and PyTorch's type-promotion rules."""

from __future__ import annotations

import functools

from .backend import np

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type; prints as PyTorch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "category", "itemsize", "is_signed")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = category != _BOOL and name != "uint8"

    @property
    def is_floating_point(self):
        """True for float16, float32 and float64."""
        return self.category == _FLOAT

    @property
    def is_complex(self):
        """True for complex dtypes."""
        return self.category == _COMPLEX

    def to_real(self):
        """The real counterpart of a complex dtype (the dtype itself otherwise)."""
        return {complex64: float32, complex128: float64}.get(self, self)

    def __repr__(self):
        return "torch." + self.name  # printed as PyTorch prints it

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16, _FLOAT)
float32 = float = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool = dtype("bool", np.bool_, _BOOL)

_ALL = (float16, float32, float64, complex64, complex128, int8, int16, int32, int64, uint8, bool)
_FROM_NP = {d.np: d for d in _ALL}
_NAMES = {d.name: d for d in _ALL}


def _by_name(name):
    return _NAMES[name]


# PyTorch's scalar-type words, as its error messages print them ("Float", "Long", ...).
_SCALAR_NAMES = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "uint8": "Byte",
    "bool": "Bool",
    "bfloat16": "BFloat16",
}


def scalar_type_name(dtype_like) -> str:
    """PyTorch's word for a dtype in messages: ``Float``, ``Long``, ``Bool``, ...

    Accepts an Ember dtype, a NumPy dtype, or an array/tensor (its dtype).
    """
    d = getattr(dtype_like, "dtype", dtype_like)
    if isinstance(d, dtype):
        name = d.name
    else:
        name = "bool" if np.dtype(d).kind == "b" else str(np.dtype(d))
    return _SCALAR_NAMES.get(name, name)


def legacy_type_name(dtype_like) -> str:
    """PyTorch's legacy tensor type name, e.g. ``torch.FloatTensor``."""
    word = scalar_type_name(dtype_like)
    return f"torch.{word}Tensor" if word in _SCALAR_NAMES.values() else "torch.Tensor"


def from_numpy_dtype(np_dtype) -> dtype:
    """The Ember dtype of a NumPy dtype; raises TypeError for unsupported ones."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        d = np.dtype(np_dtype)
        if d in _FROM_NP:
            return _FROM_NP[d]
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{d}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


def to_numpy_dtype(d) -> np.dtype:
    """The NumPy dtype for an Ember dtype (NumPy dtypes and Python types accepted too)."""
    if type(d) is dtype:
        return d.np
    return as_dtype(d).np


def as_dtype(d) -> dtype:
    """Normalise ``d`` (Ember dtype, NumPy dtype, or Python type) to an Ember dtype."""
    import builtins

    if type(d) is dtype:
        return d

    if d is builtins.float:
        return _default[0]
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex64 if _default[0] is float32 else complex128
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    return from_numpy_dtype(np.dtype(d))


_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (float32 by default)."""
    return _default[0]


def set_default_dtype(d) -> None:
    """Set the default floating-point dtype (float32 or float64, as PyTorch allows)."""
    d = as_dtype(d)
    if d not in (float16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    result_type.cache_clear()


@functools.lru_cache(maxsize=None)
def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` can be cast to, as ``torch.promote_types``."""
    if a is b:
        return a
    if a.category != b.category:
        # Unlike NumPy, the higher category wins outright: int64 + float16 -> float16.
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo is float64:
            return complex128
        return hi
    if {a, b} == {uint8, int8}:
        return int16
    return from_numpy_dtype(np.promote_types(a.np, b.np))


def _combine(higher, lower):
    # PyTorch: a lower-priority operand only matters when it brings a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return promote_types(higher, lower) if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(value):
    import builtins

    t = type(value)
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _default[0]
    if t is builtins.complex:
        return complex64 if _default[0] is float32 else complex128
    if isinstance(value, np.generic):  # NumPy scalars behave as Python scalars of their kind
        k = value.dtype.kind
        return {"b": bool, "i": int64, "u": int64, "f": _default[0]}.get(
            k, complex64 if _default[0] is float32 else complex128
        )
    raise TypeError(f"unsupported scalar type {t.__name__}")


@functools.lru_cache(maxsize=4096)
def _result_from_keys(keys):
    dim = zero = wrapped = None
    for kind, d in keys:
        if kind == 0:
            dim = d if dim is None else promote_types(dim, d)
        elif kind == 1:
            zero = d if zero is None else promote_types(zero, d)
        else:
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def result_type(*operands) -> dtype:
    """PyTorch's result dtype for an op over tensors and Python scalars.

    Tensors with dimensions outrank 0-d tensors, which outrank Python scalars; a
    lower-ranked operand changes the result only when it brings a higher category
    (bool < integer < floating < complex).  Values are never inspected.
    """
    keys = []
    for x in operands:
        data = getattr(x, "_data", None)
        if data is not None:
            keys.append((0 if data.ndim else 1, from_numpy_dtype(data.dtype)))
        elif isinstance(x, np.ndarray):
            keys.append((0 if x.ndim else 1, from_numpy_dtype(x.dtype)))
        elif x is not None:
            keys.append((2, _scalar_dtype(x)))
    return _result_from_keys(tuple(keys))


result_type.cache_clear = _result_from_keys.cache_clear
