"""Tensor factories: ``tensor``, ``zeros``, ``ones``, ``arange``, ``linspace``, ``eye``, ..."""

from __future__ import annotations

import builtins
import warnings

from . import dtypes as _dt
from .autograd.grad_mode import state as _grad_state
from .backend import np
from .tensor import Tensor


def _finish(data, requires_grad, device=None):
    if device is not None:
        from .device import device as _device

        dev = _device(device)
        if dev.type == "cuda":
            from .backend import to_device_array

            data = to_device_array(data, dev)
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad_(True) if data.dtype.kind in "fc" else _no_grad_dtype()
    if _grad_state.inference:
        t._ensure_extra().inference = True
    return t


def _no_grad_dtype():
    raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool, int64, or the default float."""
    kinds = set()
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, Tensor):
            kinds.add(("t", x.dtype))
        elif isinstance(x, np.ndarray):
            kinds.add(("t", _dt.from_numpy_dtype(x.dtype)))
        elif isinstance(x, np.generic):
            kinds.add(("t", _dt.from_numpy_dtype(x.dtype)))
        elif isinstance(x, builtins.bool):
            kinds.add(("s", _dt.bool))
        elif isinstance(x, int):
            kinds.add(("s", _dt.int64))
        elif isinstance(x, float):
            kinds.add(("s", _dt.get_default_dtype()))
        elif isinstance(x, complex):
            kinds.add(
                ("s", _dt.complex64 if _dt.get_default_dtype() is _dt.float32 else _dt.complex128)
            )
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    result = None
    for _, d in kinds:
        result = d if result is None else _dt.promote_types(result, d)
    return result or _dt.get_default_dtype()


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        data = [_to_array(x, None) if isinstance(x, (Tensor, list, tuple)) else x for x in data]
    return np.array(data, dtype=dtype.np if dtype is not None else None)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy
    arrays and scalars keep their dtype, as in PyTorch.
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        d = _dt.as_dtype(dtype) if dtype is not None else data.dtype
        return _finish(data._data.astype(d.np, copy=True), requires_grad, device)
    if dtype is not None:
        d = _dt.as_dtype(dtype)
    elif isinstance(data, np.ndarray):
        d = _dt.from_numpy_dtype(data.dtype)
    else:
        d = _infer_dtype(data)
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    arr = _to_array(data, d)
    if arr.dtype != d.np:
        arr = arr.astype(d.np)
    elif isinstance(data, np.ndarray) and arr is data:
        arr = arr.copy()
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        if dtype is None:
            _dt.from_numpy_dtype(data.dtype)
            return Tensor._make(data)
        return Tensor._make(data.astype(_dt.to_numpy_dtype(dtype), copy=False))
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(size)
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(
                f"empty(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos 0"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _dtype_or_default(dtype):
    return _dt.as_dtype(dtype).np if dtype is not None else _dt.get_default_dtype().np


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of zeros."""
    return _finish(np.zeros(_size(size), _dtype_or_default(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of ones."""
    return _finish(np.ones(_size(size), _dtype_or_default(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, memory_format=None, out=None):
    """An uninitialised tensor."""
    return _finish(np.empty(_size(size), _dtype_or_default(dtype)), requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor filled with ``fill_value`` (its dtype inferred from the value by default)."""
    if dtype is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(
        np.full(
            _size((size,) if isinstance(size, int) else (size,)), fill_value, _dt.as_dtype(dtype).np
        ),
        requires_grad,
        device,
    )


def _like(input, dtype):
    return _dt.as_dtype(dtype).np if dtype is not None else input._data.dtype


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Zeros with ``input``'s shape and dtype."""
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Ones with ``input``'s shape and dtype."""
    return _finish(np.ones(input._data.shape, _like(input, dtype)), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Uninitialised, with ``input``'s shape and dtype."""
    return _finish(np.empty(input._data.shape, _like(input, dtype)), requires_grad)


def full_like(
    input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None
):
    """Filled with ``fill_value``, with ``input``'s shape and dtype."""
    return _finish(np.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad)


def zeros_like_array(xp, shape, np_dtype):
    """Raw zeros (for the engine, which materialises missing gradients)."""
    return xp.zeros(shape, np_dtype)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a float is given."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        d = _dt.get_default_dtype().np if is_float else np.int64
    else:
        d = _dt.as_dtype(dtype).np
    import math

    n = builtins.max(0, math.ceil((end - start) / step))
    data = (
        (start + np.arange(n, dtype=np.float64) * step).astype(d)
        if np.dtype(d).kind == "f"
        else np.arange(start, end, step, dtype=d)
    )
    return _finish(data, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    d = _dtype_or_default(dtype)
    data = np.linspace(_num(start), _num(end), steps, dtype=np.float64)
    return _finish(data.astype(d), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    d = _dtype_or_default(dtype)
    data = np.power(base, np.linspace(_num(start), _num(end), steps, dtype=np.float64))
    return _finish(data.astype(d), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    """The identity matrix (``n`` x ``m``)."""
    return _finish(np.eye(n, m, dtype=_dtype_or_default(dtype)), requires_grad, device)


def _legacy_tensor_init(self, *args, **kwargs):
    """``ember.Tensor(data)`` or ``ember.Tensor(*sizes)``: float32, as PyTorch's legacy one."""
    if len(args) == 1 and not isinstance(args[0], int):
        data = args[0]
        arr = (
            data._data
            if isinstance(data, Tensor)
            else np.array(data, dtype=_dt.get_default_dtype().np)
        )
    else:
        arr = np.empty(_size(args), dtype=_dt.get_default_dtype().np)
    Tensor._init_from(self, arr, False)


__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "arange",
    "linspace",
    "logspace",
    "eye",
]
