"""``out=``: an op's result written into a tensor the caller gives, as PyTorch does it.

PyTorch refuses ``out=`` when autograd would have to record the op (an argument
requires grad), resizes an ``out`` of the wrong shape (warning when it held elements),
writes into its memory (views of ``out`` see the result), bumps its version and
returns it.  Which dtypes ``out`` may have is the op's own rule; the checks for the
common rules are here.
"""

from __future__ import annotations

from ..autograd.callsite import warn
from ..autograd.grad_mode import state as _grad_state
from ..dtypes import C_TYPE_NAMES
from ..tensor_base import TensorBase as Tensor

#: PyTorch's C++ names of the dtypes, as its messages print them.
C_NAMES = C_TYPE_NAMES


def refuse_grad(name, out, *inputs):
    """PyTorch's error when ``out=`` meets autograd (``out`` or an input requires grad)."""
    if not _grad_state.enabled:
        return
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for t in (*outs, *inputs):
        if isinstance(t, Tensor) and t._requires_grad:
            raise RuntimeError(
                f"{name}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad."
            )


def check_out_tensors(name, out, n):
    """``out`` is one tensor (``n == 1``) or a tuple of ``n`` tensors, as PyTorch asks."""
    if n == 1:
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        return
    if not isinstance(out, (tuple, list)) or not all(isinstance(o, Tensor) for o in out):
        raise TypeError(
            f"{name}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}"
        )
    if len(out) != n:
        raise TypeError(f"expected tuple of {n} elements but got {len(out)}")


def same_dtype(out, np_dtype):
    """PyTorch's check of ``out`` for kernels whose result dtype is fixed."""
    got = out._data.dtype
    if got != np_dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {C_NAMES.get(np_dtype.name, np_dtype.name)}, "
            f"but got {C_NAMES.get(got.name, got.name)} instead"
        )


def castable(result_dtype, out):
    """PyTorch's check that a result can be cast to ``out``'s dtype (no float into int)."""
    from .inplace import _check_cast

    _check_cast(result_dtype, out._data.dtype)


def write(out, result):
    """Write ``result`` (a tensor) into ``out`` and return ``out``.

    ``out`` is resized when its shape differs (with PyTorch's warning when it held
    elements); values are cast to ``out``'s dtype.
    """
    data = out._data
    r = result._data
    if data.shape == r.shape:
        data[...] = r
    else:
        if data.size:
            warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(data.shape)}, which does not match the required output shape "
                f"{list(r.shape)}. This behavior is deprecated, and in a future PyTorch release "
                "outputs will not be resized unless they have zero elements. You can explicitly "
                "reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).",
                UserWarning,
            )
        out._data = r.astype(data.dtype, copy=True)
    out._bump_version("out=")
    return out


def result_into(name, out, inputs, result, check=None):
    """``result()``, or with ``out=`` given, written into ``out`` after PyTorch's checks:
    ``out`` is a tensor, ``check(out)`` (its dtype rule), no autograd involved."""
    if out is None:
        return result()
    check_out_tensors(name, out, 1)
    if check is not None:
        check(out)
    refuse_grad(name, out, *inputs)
    return write(out, result())
