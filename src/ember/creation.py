"""Tensor factories: ``tensor``, ``zeros``, ``ones``, ``arange``, ``linspace``, ``eye``, ..."""

from __future__ import annotations

import builtins
import math
import warnings

from . import dtypes as _dt
from ._data_conversion import check_nested, check_user_array, infer_dtype, to_array
from .autograd.grad_mode import state as _grad_state
from .backend import np
from .memory_format import strided
from .ops.registry import declare
from .tensor_base import TensorBase as Tensor


def _finish(data, requires_grad, device=None):
    if device is not None:
        from .device import device as _device

        dev = _device(device)
        if dev.type != "cpu":
            from .backend import to_device_array

            data = to_device_array(data, dev.type, 0 if dev.index is None else dev.index)
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad_(True) if _dt.is_inexact_np(data.dtype) else _no_grad_dtype()
    if _grad_state.inference:
        t._ensure_extra().inference = True
    return t


def _no_grad_dtype():
    raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def _scalar_name(d) -> str:
    """PyTorch's scalar-type word for a dtype (``Long``, ``Float``, ``Bool``...)."""
    from .autograd.errors import legacy_type_name

    return legacy_type_name(np.empty(0, d.np))[6:-6]


def not_implemented(kernel, d):
    """PyTorch's error for a kernel that has no version for dtype ``d``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(d)}'")


def _write_out(result, out):
    # ``out=``: the result is written into ``out`` (resized when its shape differs).
    if out is None:
        return result

    if out._data.shape == result._data.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out._data.dtype, copy=False)
    out._bump_version("out=")
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy
    arrays and scalars keep their dtype, as in PyTorch.  Python numbers that do not fit
    ``dtype`` are refused as PyTorch refuses them (NumPy arrays are cast as they are).
    """
    d = None if dtype is None else _dt.dtype_arg(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        d = d or data.dtype
        if requires_grad and d.category < 2:
            _no_grad_dtype()
        return _finish(_dt.cast(data._data, d.np), requires_grad, device)
    if isinstance(data, np.ndarray):
        src = check_user_array(data)
        arr = _dt.cast(data, (d or src).np)
        d = d or src
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if isinstance(data, range):
            data = list(data)
        elif isinstance(data, (list, tuple)):
            check_nested(data)
        explicit = d is not None
        if not explicit:
            d = infer_dtype(data)
        arr = to_array(data, d, explicit)
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and device is None:
        check_user_array(data)
        if dtype is None:
            return Tensor._make(data)
        return Tensor._make(_dt.cast(data, _dt.dtype_arg(dtype, "as_tensor").np))
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    check_user_array(ndarray)
    return Tensor._make(ndarray)


def _is_int(s):
    if isinstance(s, Tensor):
        return s._data.ndim == 0 and s._data.dtype.kind in "iu"
    return isinstance(s, (int, np.integer)) and not isinstance(s, (builtins.bool, np.bool_))


def layout_and_pinning(name, kwargs):
    """Check a factory's remaining keywords: PyTorch's ``layout=`` and ``pin_memory=`` (every
    Ember tensor is strided; pinned memory needs an accelerator: PyTorch's errors), and no
    other."""
    lay = kwargs.pop("layout", None)
    if lay is not None and lay is not strided:
        raise TypeError(
            f"{name}(): argument 'layout' must be torch.layout, not {type(lay).__name__}"
        )
    if kwargs.pop("pin_memory", False):
        raise RuntimeError(
            "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
            "allocator is available on this system."
        )
    for k in kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")


def _size(size, name="empty", kwargs=None):
    """A shape from ``*size`` arguments (``2, 3``, ``(2, 3)`` or ``size=(2, 3)``), checked."""
    kwarg = None
    if kwargs:
        kwarg = kwargs.pop("size", None)
        layout_and_pinning(name, kwargs)  # and refuses any other keyword
    if kwarg is not None:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        if not isinstance(kwarg, (tuple, list)):
            raise TypeError(
                f"{name}(): argument 'size' must be tuple of ints, not {type(kwarg).__name__}"
            )
        size = (kwarg,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
        for i, s in enumerate(size):
            if not _is_int(s):
                if i == 0:
                    raise TypeError(
                        f"{name}(): argument 'size' (position 1) must be tuple of ints, but "
                        f"found element of type {type(s).__name__} at pos 0"
                    )
                _unpack_error(name, i, s)
    elif len(size) == 1 and not _is_int(size[0]):
        raise TypeError(
            f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
            f"{type(size[0]).__name__}"
        )
    else:
        for i, s in enumerate(size):
            if not _is_int(s):
                _unpack_error(name, i, s)
    shape = tuple(builtins.int(s) for s in size)
    _check_nonnegative(shape, name)
    return shape


def _unpack_error(name, i, s):
    raise TypeError(
        f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
        f'"type must be tuple of ints,but got {type(s).__name__}"'
    )


def _shape_arg(size, name, position=1):
    """A shape given as one tuple/list argument (``full``, ``randint``, ``normal``)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"{name}(): argument 'size' (position {position}) must be tuple of ints, not "
            f"{type(size).__name__}"
        )
    for i, s in enumerate(size):
        if not _is_int(s) and not isinstance(s, builtins.bool):
            raise TypeError(
                f"{name}(): argument 'size' (position {position}) must be tuple of ints, but "
                f"found element of type {type(s).__name__} at pos {i}"
            )
    shape = tuple(builtins.int(s) for s in size)
    _check_nonnegative(shape, name)
    return shape


def _check_nonnegative(shape, name):
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}"
            )


def _alloc(make, shape, np_dtype, *fill):
    """``make(shape, *fill, dtype=np_dtype)`` (``np.zeros``, ``np.full``, ...); a request the
    machine cannot hold raises PyTorch's RuntimeError with the size, not NumPy's
    MemoryError."""
    try:
        return make(shape, *fill, dtype=np_dtype)
    except MemoryError:
        sizes = shape if isinstance(shape, tuple) else (shape,)
        n = math.prod(sizes) * np.dtype(np_dtype).itemsize
        raise RuntimeError(
            f"DefaultCPUAllocator: can't allocate memory: you tried to allocate {n} bytes. "
            "Error code 12 (Cannot allocate memory)"
        ) from None
    except ValueError as e:
        if "array is too big" not in str(e):
            raise
        sizes = list(shape) if isinstance(shape, tuple) else [shape]
        raise RuntimeError(f"Storage size calculation overflowed with sizes={sizes}") from None


def _dtype_or_default(dtype, fn):
    return _dt.dtype_arg(dtype, fn).np if dtype is not None else _dt.get_default_dtype().np


def zeros(*size, out=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    shape = _size(size, "zeros", kwargs)
    t = _finish(_alloc(np.zeros, shape, _dtype_or_default(dtype, "zeros")), requires_grad, device)
    return _write_out(t, out)


def ones(*size, out=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of ones: ``ones(2, 3)``, ``ones((2, 3))`` or ``ones(size=(2, 3))``."""
    shape = _size(size, "ones", kwargs)
    t = _finish(_alloc(np.ones, shape, _dtype_or_default(dtype, "ones")), requires_grad, device)
    return _write_out(t, out)


def empty(
    *size, out=None, dtype=None, device=None, requires_grad=False, memory_format=None, **kwargs
):
    """An uninitialised tensor."""
    shape = _size(size, "empty", kwargs)
    t = _finish(_alloc(np.empty, shape, _dtype_or_default(dtype, "empty")), requires_grad, device)
    return _write_out(t, out)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    layout_and_pinning("full", kwargs)
    shape = _shape_arg(size, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = infer_dtype(fill_value) if dtype is None else _dt.dtype_arg(dtype, "full")
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    data = _alloc(np.full, shape, d.np, _fill_value(fill_value, d))
    return _write_out(_finish(data, requires_grad, device), out)


def _fill_value(value, d):
    """``value`` converted into dtype ``d`` as PyTorch's fills convert it: checked against
    the type's range, then cast as C casts (1.5 -> 1, -1 -> 255 for uint8)."""
    if type(value) is int:
        _dt.check_int_scalar(value)
    _dt.check_fits(value, d, c_name=True)
    return _dt.cast(np.asarray(value), d.np)


def _device_of(input, device):
    """``device``, or where ``input`` lives (the ``*_like`` and ``new_*`` default)."""
    if device is not None:
        return device
    return None if type(input._data) is np.ndarray else input.device


def _like(input, dtype, fn):
    return _dt.dtype_arg(dtype, fn).np if dtype is not None else input._data.dtype


def _allocated_like(alloc, name, input, dtype, device, requires_grad, kwargs):
    """``alloc`` of ``input``'s shape in ``dtype`` (default ``input``'s), where ``input`` lives."""
    layout_and_pinning(name, kwargs)
    data = _alloc(alloc, input._data.shape, _like(input, dtype, name))
    return _finish(data, requires_grad, _device_of(input, device))


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, **kw):
    """Zeros with ``input``'s shape and dtype."""
    return _allocated_like(np.zeros, "zeros_like", input, dtype, device, requires_grad, kw)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, **kw):
    """Ones with ``input``'s shape and dtype."""
    return _allocated_like(np.ones, "ones_like", input, dtype, device, requires_grad, kw)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, **kw):
    """Uninitialised, with ``input``'s shape and dtype."""
    return _allocated_like(np.empty, "empty_like", input, dtype, device, requires_grad, kw)


def full_like(
    input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None, **kwargs
):
    """Filled with ``fill_value``, with ``input``'s shape and dtype."""
    layout_and_pinning("full_like", kwargs)
    d = _dt.dtype_arg(dtype, "full_like") if dtype is not None else input.dtype
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    value = _fill_value(fill_value, d)
    data = _alloc(np.full, input._data.shape, d.np, value)
    return _finish(data, requires_grad, _device_of(input, device))


def zeros_like_array(xp, shape, np_dtype):
    """Raw zeros (for the engine, which materialises missing gradients)."""
    return xp.zeros(shape, np_dtype)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(
    start, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False, **kwargs
):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a float is given."""
    layout_and_pinning("arange", kwargs)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        d = _dt.get_default_dtype() if is_float else _dt.int64
    else:
        d = _dt.dtype_arg(dtype, "arange")
    if d is _dt.bool:
        raise not_implemented("arange_cpu", d)
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    if step == 0 or step != step:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if d.category < 2:
        # Integer ranges take their bounds and step truncated to integers first.
        start, end, step = builtins.int(start), builtins.int(end), builtins.int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    n = builtins.max(0, math.ceil((end - start) / step))
    if d.category < 2:
        data = start + _alloc(np.arange, n, np.int64) * step
    else:
        data = start + _alloc(np.arange, n, np.float64) * step
    return _write_out(_finish(_dt.cast(data, d.np), requires_grad, device), out)


def _two_product(a, b):
    # Dekker's exact product: a * b == p + e, so the fused multiply-add below rounds once.
    p = a * b
    a_hi = a * 134217729.0 - (a * 134217729.0 - a)
    b_hi = b * 134217729.0 - (b * 134217729.0 - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _fma(a, b, c):
    p, e = _two_product(a, b)
    s = p + c
    bb = s - p
    return s + (((p - (s - bb)) + (c - bb)) + e)


def _linspace_values(start, end, steps, d):
    # PyTorch fills from both ends towards the middle, rounding as its kernels do: fused
    # multiply-adds in double (float64 and integers, whose endpoints are truncated first),
    # float32 for float32, and 16-bit arithmetic for float16/bfloat16; reproduced bit for bit.
    if steps <= 1:
        return _dt.cast(np.full(steps, start), d.np)
    if d.category == 3:
        return np.linspace(start, end, steps).astype(d.np)
    i = np.arange(steps, dtype=np.float64)
    back = i - (steps - 1)
    first = i < steps // 2
    if d is _dt.float32:
        start, end = np.float32(start), np.float32(end)
        step = np.float64((end - start) / np.float32(steps - 1))
        out = np.where(first, np.float64(start) + i * step, np.float64(end) + back * step)
    elif d is _dt.float16 or d is _dt.bfloat16:
        h = d.np.type
        start, end = h(start), h(end)
        step = h((end - start) / h(steps - 1))
        hi = i.astype(h)
        out = np.where(first, start + hi * step, end - (h(steps - 1) - hi) * step)
    else:
        if d.category < 2:
            start, end = builtins.int(start), builtins.int(end)
        step = np.full(steps, (end - start) / (steps - 1))
        out = np.where(first, _fma(i, step, float(start)), _fma(back, step, float(end)))
    return out.astype(d.np)


def _check_steps(steps):
    if isinstance(steps, builtins.bool) or not _is_int(steps):
        raise TypeError(
            f"linspace(): argument 'steps' (position 3) must be int, not {type(steps).__name__}"
        )
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def linspace(
    start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False, **kwargs
):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    layout_and_pinning("linspace", kwargs)
    _check_steps(steps)
    d = _dt.dtype_arg(dtype, "linspace") if dtype is not None else _dt.get_default_dtype()
    if d is _dt.bool:
        raise not_implemented("linspace_cpu", d)
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    data = _linspace_values(_num(start), _num(end), builtins.int(steps), d)
    return _write_out(_finish(data, requires_grad, device), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, device=None,
             requires_grad=False, **kwargs):  # fmt: skip
    """``base ** linspace(start, end, steps)``."""
    layout_and_pinning("logspace", kwargs)
    _check_steps(steps)
    d = _dt.dtype_arg(dtype, "logspace") if dtype is not None else _dt.get_default_dtype()
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    exps = _linspace_values(_num(start), _num(end), builtins.int(steps), _dt.float64)
    data = _dt.cast(np.power(np.float64(base), exps), d.np)
    return _write_out(_finish(data, requires_grad, device), out)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False, **kwargs):
    """The identity matrix (``n`` x ``m``)."""
    layout_and_pinning("eye", kwargs)
    for name, v, pos in (("n", n, 1), ("m", m, 2)):
        if v is None:
            continue
        if not _is_int(v):
            raise TypeError(
                f"eye(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}"
            )
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    d = _dt.dtype_arg(dtype, "eye") if dtype is not None else _dt.get_default_dtype()
    if requires_grad and d.category < 2:
        _no_grad_dtype()
    data = np.eye(builtins.int(n), None if m is None else builtins.int(m), dtype=d.np)
    return _write_out(_finish(data, requires_grad, device), out)


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


# ----- Tensor.new_*: factories with this tensor's dtype by default ----------------------------
def _options_of(self, dtype, device, requires_grad):
    """The factory keywords of a ``new_*`` call: this tensor's dtype and device by default."""
    return {
        "dtype": dtype or self.dtype,
        "device": _device_of(self, device),
        "requires_grad": requires_grad,
    }


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """A new tensor from ``data`` with this tensor's dtype by default."""
    return tensor(data, **_options_of(self, dtype, device, requires_grad))


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    """Zeros of ``size`` with this tensor's dtype by default."""
    return zeros(
        _size(size, "new_zeros", kwargs), **_options_of(self, dtype, device, requires_grad)
    )


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    """Ones of ``size`` with this tensor's dtype by default."""
    return ones(_size(size, "new_ones", kwargs), **_options_of(self, dtype, device, requires_grad))


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value``."""
    return full(size, fill_value, **_options_of(self, dtype, device, requires_grad))


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    """An uninitialised tensor of ``size``."""
    return empty(
        _size(size, "new_empty", kwargs), **_options_of(self, dtype, device, requires_grad)
    )


def new(self, *args, **kwargs):
    """The legacy constructor with this tensor's dtype: ``t.new(2, 3)`` (uninitialised),
    ``t.new(data)``, ``t.new()`` (empty)."""
    from .legacy_types import legacy_array

    return _finish(legacy_array(self.dtype, args, kwargs), False)


for _fn in (new_tensor, new_zeros, new_ones, new_full, new_empty, new):
    declare(None, _fn, methods=(_fn.__name__,), public=False)
