"""Factories beyond ``creation.py``: ``empty_strided``, ``scalar_tensor``, the deprecated
inclusive ``range``, and tensors over other objects' memory (``frombuffer``,
``from_dlpack``)."""

from __future__ import annotations

import math
import numbers
import warnings

from . import dtypes as _dt
from .backend import np
from .creation import _dtype_or_default, _finish
from .tensor_base import TensorBase

__all__ = ["empty_strided", "scalar_tensor", "range", "frombuffer", "from_dlpack"]


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):  # fmt: skip
    """An uninitialised tensor with the given ``size`` and ``stride`` (in elements)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
            f"({len(stride)})"
        )
    if any(s < 0 for s in size):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(size)}: {list(size)}"
        )
    np_dtype = _dtype_or_default(dtype, "empty_strided")
    n = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    buffer = np.empty(n, dtype=np_dtype)
    data = np.lib.stride_tricks.as_strided(
        buffer, size, tuple(s * buffer.itemsize for s in stride), writeable=True
    )
    return _finish(data, requires_grad, device)


def scalar_tensor(
    s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """A 0-d tensor holding the number ``s`` (of the default float dtype unless told)."""
    if isinstance(s, TensorBase) or not isinstance(s, (numbers.Number, np.number, np.bool_)):
        raise TypeError(
            f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}"
        )
    np_dtype = _dtype_or_default(dtype, "scalar_tensor")
    return _finish(np.asarray(s).astype(np_dtype), requires_grad, device)


_RANGE_WARNING = (
    "torch.range is deprecated and will be removed in a future release because its behavior "
    "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
    "values in [start, end)."
)


def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):  # fmt: skip
    """Deprecated: ``start, start+step, ...`` up to and including ``end`` (use ``arange``)."""
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    start, end, step = (v.item() if isinstance(v, TensorBase) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int((end - start) // step) + 1
    np_dtype = _dtype_or_default(dtype, "range")
    values = (start + np.arange(n, dtype=np.float64) * step).astype(np_dtype)
    t = _finish(values, requires_grad, device)
    if out is not None:
        from .creation import _write_out

        return _write_out(t, out)
    return t


_warned_readonly = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over the memory of an object that exposes the buffer protocol."""
    d = _dt.dtype_arg(dtype, "frombuffer")
    view = memoryview(buffer)
    length = view.nbytes
    size = d.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(
            f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
            f"({length} bytes) minus 1"
        )
    if count < 0:
        if (length - offset) % size:
            raise ValueError(
                f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be "
                f"a multiple of element size ({size})"
            )
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(
            f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) "
            f"must not be greater than actual buffer length ({length} bytes)"
        )
    if view.readonly and not _warned_readonly[0]:
        _warned_readonly[0] = True
        warnings.warn(
            "The given buffer is not writable, and PyTorch does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) "
            "buffer using the tensor. You may want to copy the buffer to protect its data or "
            "make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.",
            UserWarning,
            stacklevel=2,
        )
    data = np.frombuffer(buffer, dtype=d.np, count=count, offset=offset)
    return _finish(data, requires_grad)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor`` (any object with ``__dlpack__``)."""
    if isinstance(ext_tensor, TensorBase):
        return ext_tensor.detach()
    if not hasattr(ext_tensor, "__dlpack__"):
        raise RuntimeError(
            "from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
            "consumed only once, so you might have already constructed a tensor from it once."
        )
    from .creation import from_numpy

    return from_numpy(np.from_dlpack(ext_tensor))
