"""Ember's dtype objects, the default dtype and PyTorch's type-promotion rules."""

from __future__ import annotations

import functools

# NumPy has no bfloat16; ml_dtypes registers one as a NumPy dtype (kind "V", so Ember
# never asks NumPy's kind letters whether a dtype is floating: see ``is_float``).
import ml_dtypes as _ml_dtypes

from .backend import np

__all__ = [
    "dtype",
    "float16",
    "bfloat16",
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
        """True for float16, bfloat16, float32 and float64."""
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
bfloat16 = dtype("bfloat16", _ml_dtypes.bfloat16, _FLOAT)
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

_ALL = (
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
    int8,
    int16,
    int32,
    int64,
    uint8,
    bool,
)
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


# PyTorch's C++ element types, as its kernels and legacy constructors name them in errors.
C_TYPE_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
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
        raise _unsupported_array(d) from None


def from_user_array_dtype(np_dtype) -> dtype:
    """The Ember dtype of a NumPy array handed in by the user (``from_numpy``, ``tensor``).

    Refuses what PyTorch refuses, bfloat16 arrays included: NumPy has no bfloat16 of its
    own, and PyTorch does not read ml_dtypes' one.
    """
    d = from_numpy_dtype(np_dtype)
    if d is bfloat16:
        raise _unsupported_array(np.dtype(np_dtype))
    return d


def _unsupported_array(d):
    return TypeError(
        f"can't convert np.ndarray of type {d.type.__module__}.{d.type.__name__}. The only "
        "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
        "int16, int8, uint8, and bool."
    )


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
        return default_complex_dtype()
    if isinstance(d, str) and d in _NAMES:
        return _NAMES[d]
    return from_numpy_dtype(np.dtype(d))


_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (float32 by default)."""
    return _default[0]


def set_default_dtype(d) -> None:
    """Set the default floating-point dtype (float16, bfloat16, float32 or float64)."""
    if type(d) is not dtype:
        raise TypeError(
            "invalid dtype object: only floating-point types are supported as the default type"
        )
    if d.category != _FLOAT:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d
    result_type.cache_clear()


def default_complex_dtype() -> dtype:
    """The complex dtype that goes with the default dtype (Python complex numbers get it)."""
    d = _default[0]
    if d is bfloat16:
        raise RuntimeError("invalid default scalar type for complex")
    return complex64 if d is float32 else complex128


def dtype_arg(d, fn: str) -> dtype:
    """A ``dtype=`` argument as PyTorch's function ``fn`` takes it: an Ember dtype, or Python's
    ``float`` (float64), ``int``, ``bool`` or ``complex``; strings, NumPy types and NumPy
    dtypes are PyTorch's TypeError."""
    import builtins

    if type(d) is dtype:
        return d
    python_types = {
        builtins.float: float64,
        builtins.int: int64,
        builtins.bool: bool,
        builtins.complex: complex128,
    }
    if isinstance(d, type) and d in python_types:
        return python_types[d]
    t = type(d)
    name = t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not {name}")


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
    if a is bfloat16 or b is bfloat16:  # PyTorch's rule, not left to the ml_dtypes version
        other = b if a is bfloat16 else a
        return float32 if other is float16 else other
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
        return default_complex_dtype()
    if isinstance(value, np.generic):  # NumPy scalars behave as Python scalars of their kind
        k = kind_of(value.dtype)
        if k == "c":
            return default_complex_dtype()
        return {"b": bool, "i": int64, "u": int64, "f": _default[0]}[k]
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


_BF16 = bfloat16.np


def kind_of(np_dtype) -> str:
    """NumPy's kind letter of ``np_dtype``, with bfloat16 counted as floating (``"f"``).

    ml_dtypes' bfloat16 reports kind ``"V"``; code that asks whether an array is floating
    uses this instead of ``dtype.kind``.
    """
    return "f" if np_dtype is _BF16 else np_dtype.kind


def is_float_np(np_dtype) -> bool:
    """True for the floating NumPy dtypes Ember uses (float16, bfloat16, float32, float64)."""
    return np_dtype.kind == "f" or np_dtype is _BF16


def is_inexact_np(np_dtype) -> bool:
    """True for floating and complex NumPy dtypes (those that can require gradients)."""
    return np_dtype.kind in "fc" or np_dtype is _BF16


_F32 = float32.np
_HALF_NP = (float16.np, _BF16)


def cast(array, np_dtype):
    """``array`` converted to ``np_dtype`` as PyTorch converts, in a new array.

    To float16 and bfloat16, PyTorch goes through float32 (a double or a 64-bit integer is
    rounded to float first, then to 16 bits); NumPy rounds once, which differs at ties.
    From bfloat16 to integers it goes through float32 too (negative values wrap into
    unsigned types, where ml_dtypes would give 0).
    Values out of the target's range become what the C cast gives (inf for floats), without
    NumPy's overflow warnings: PyTorch warns about none of these.
    """
    src = array.dtype
    with np.errstate(over="ignore", invalid="ignore"):
        if np_dtype in _HALF_NP and src.kind in "iuf" and src.itemsize > 4:
            array = array.astype(_F32)
        elif src is _BF16 and np_dtype.kind in "iu":
            array = array.astype(_F32)
        return array.astype(np_dtype)


# ----- PyTorch's checks on Python numbers --------------------------------------------------
# The C type names PyTorch's fill-style conversions (full, fill_, clamp bounds) print.
_C_NAMES = {
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float32": "float",
}


def check_int_scalar(value) -> None:
    """Refuse a Python int that PyTorch cannot take as a number argument (OverflowError).

    PyTorch holds number arguments (``t + 2**64``, ``t == n``, ``fill_(n)``, ``alpha=``) as
    64-bit integers, signed or unsigned: ints from -2**63 up to 2**64 - 1 pass (those from
    2**63 wrap in integer arithmetic), others raise before any computation.  Call it on
    every Python ``int`` operand (not ``bool``) of an op.
    """
    if value >= 1 << 64:
        raise OverflowError("int too big to convert")
    if value < -(1 << 63):
        raise OverflowError("can't convert negative int to unsigned")


def check_fits(values, d: dtype, *, c_name: bool = False) -> None:
    """PyTorch's checked conversion of Python numbers into dtype ``d``: RuntimeError
    ``value cannot be converted to type ... without overflow`` when one does not fit.

    ``values`` is a Python number or an array of them (integers as int64/uint64, floats as
    float64).  Integer targets take ints from their minimum (from minus their maximum for
    unsigned types, which wrap) to their maximum, and floats between their limits (NaN and
    infinities never); float32 refuses finite floats beyond its range only when ``c_name``
    (the fill-style conversions, whose messages name C types); other float types and bool
    take anything.  ``c_name`` also selects the message's type name (``int64_t`` rather
    than ``int64``).
    """
    if d.category == _INT:
        a = np.asarray(values)
        k = a.dtype.kind
        if a.size == 0 or k == "b":
            return
        info = np.iinfo(d.np)
        if k in "iu":
            lo = info.min if d.is_signed else -info.max
            bad = a.min() < lo or a.max() > info.max
        elif k == "f":
            with np.errstate(invalid="ignore"):
                bad = not np.all((a >= info.min) & (a <= info.max))  # NaN fails both
        else:
            return
    elif d is float32 and c_name:
        a = np.asarray(values)
        if a.dtype.kind != "f" or a.size == 0:
            return
        with np.errstate(invalid="ignore"):
            bad = np.any(np.isfinite(a) & (np.abs(a) > np.finfo(np.float32).max))
    else:
        return
    if bad:
        name = _C_NAMES[d.name] if c_name else d.name
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


_INDEX_NP = (int64.np, int32.np, uint8.np, bool.np)


def check_index_dtype(np_dtype) -> None:
    """Refuse a tensor index of a dtype PyTorch does not index with (IndexError): only
    int64, int32, uint8 (a deprecated mask) and bool tensors index."""
    if np_dtype not in _INDEX_NP:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
