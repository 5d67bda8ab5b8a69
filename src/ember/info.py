"""``finfo`` / ``iinfo``: the numeric limits of floating and integer dtypes."""

from __future__ import annotations

import math

# Exponent and mantissa bits of each floating format (bfloat16 has no NumPy dtype of its own).
_FLOAT_FORMATS = {
    "float16": (5, 10),
    "bfloat16": (8, 7),
    "float32": (8, 23),
    "float64": (11, 52),
}
_REAL_OF_COMPLEX = {"complex64": "float32", "complex128": "float64"}


_DEFAULT = object()


def _dtype_arg(func, type):
    import builtins

    from . import dtypes

    if type is _DEFAULT:
        return dtypes.get_default_dtype()
    if type is builtins.float:
        return dtypes.float64
    if type is builtins.int:
        return dtypes.int64
    if type is builtins.bool:
        return dtypes.bool
    if not isinstance(type, dtypes.dtype):
        raise TypeError(
            f"{func}(): argument 'type' (position 1) must be torch.dtype, not "
            f"{builtins.type(type).__name__}"
        )
    return type


class finfo:
    """Limits of a floating dtype: ``bits``, ``eps``, ``max``, ``min``, ``tiny``, ``resolution``."""

    def __init__(self, type=_DEFAULT):
        d = _dtype_arg("finfo", type)
        name = _REAL_OF_COMPLEX.get(d.name, d.name)
        if name not in _FLOAT_FORMATS:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        exp_bits, mant_bits = _FLOAT_FORMATS[name]
        max_exp = 2 ** (exp_bits - 1) - 1
        self.bits = 1 + exp_bits + mant_bits
        self.eps = 2.0**-mant_bits
        self.max = (2.0 - 2.0**-mant_bits) * 2.0**max_exp
        self.min = -self.max
        self.tiny = self.smallest_normal = 2.0 ** (1 - max_exp)
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.dtype = name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = None  # PyTorch's finfo is unhashable

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype: ``bits``, ``min``, ``max``."""

    def __init__(self, type):
        from . import dtypes

        d = _dtype_arg("iinfo", type)
        if d is dtypes.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.category != 1:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        from .backend import np

        limits = np.iinfo(d.np)
        self.bits = int(limits.bits)
        self.min = int(limits.min)
        self.max = int(limits.max)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__
