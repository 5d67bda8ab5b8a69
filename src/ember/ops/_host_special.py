"""Plumbing of ``special``'s functions that PyTorch records no gradient for (Bessel, Airy,
orthogonal polynomials): float64 host arrays in, the result in the inputs' dtype out.

PyTorch's CPU kernels of these functions take float32 and float64 only (integers and bools
as the default float dtype); the result never requires grad.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import not_implemented, promote
from .clamp import tensor_arg

_F64 = _np.dtype("float64")


def quiet():
    """NumPy's floating-point warnings off (the special points are handled explicitly)."""
    return _np.errstate(all="ignore")


def _kernel_dtype(name, x):
    """The float dtype the kernel computes in, or PyTorch's error for the others."""
    kind = x._data.dtype.kind
    if kind in "biu":
        return _dt.get_default_dtype().np
    if x._data.dtype.name not in ("float32", "float64"):
        raise not_implemented(f"{name}_cpu", x)
    return x._data.dtype


def _write(name, result, out):
    """``result``, or written into ``out``: no gradient is recorded, so inputs that require
    grad are allowed there, as in PyTorch."""
    if out is None:
        return result
    _out.check_out_tensors(f"special_{name}", out, 1)
    _out.castable(result._data.dtype, out)
    return _out.write(out, result)


def host_unary(name, fn, input, out, arg="input"):
    """``fn`` (float64 array -> float64 array) applied to ``input``, with ``out=``
    (``arg``: PyTorch's name of the argument, for its error)."""
    tensor_arg(f"special_{name}", input, arg, 1)
    dtype = _kernel_dtype(name, input)
    with quiet():
        result = _np.asarray(fn(_np.asarray(input._data, dtype=_F64)), dtype=dtype)
    return _write(name, Tensor._make(result), out)


def invalid_pair(name, first, second, names=("x", "n")):
    """PyTorch's TypeError for a binary special function called with two numbers."""
    x, n = names
    forms = [f"(Tensor {x}, Tensor {n}", f"(Number {x}, Tensor {n}", f"(Tensor {x}, Number {n}"]
    return TypeError(
        f"special_{name}() received an invalid combination of arguments - got "
        f"({type(first).__name__}, {type(second).__name__}), but expected one of:\n"
        + "\n".join(f" * {f}, *, Tensor out = None)" for f in forms)
    )


def host_binary(name, fn, input, other, out):
    """``fn`` (two arrays -> array, broadcast) of ``input`` and ``other`` (one of them may be
    a number), with ``out=``; computed in the result's own dtype, as PyTorch's kernel."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise invalid_pair(name, input, other)
    a, b = promote(input, other)
    like = a if isinstance(a, Tensor) else b
    dtype = _kernel_dtype(name, like)
    xs = [_np.asarray(v._data if isinstance(v, Tensor) else v, dtype=dtype) for v in (a, b)]
    with quiet():
        result = _np.asarray(fn(*_np.broadcast_arrays(*xs)), dtype=dtype)
    return _write(name, Tensor._make(result), out)
