"""dtype and device conversions, clone and contiguous."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..device import device as _device
from ..tensor import Tensor
from ._spec import OpSpec, register


class ToCopy(Node):
    """d(x.to(dtype)) = grad cast back to x's dtype (the engine casts)"""

    def forward(self, x, np_dtype):
        return x.astype(np_dtype)

    def backward(self, grad):
        return grad, None


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)
    for a in args:
        if isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, _device)) and not (isinstance(a, str) and a in _dt._NAMES):
            dev = a
        elif a is not None:
            dtype = a
    return dtype, dev


def to(self, *args, **kwargs):
    """Convert ``self`` to a dtype and/or device; returns ``self`` when nothing changes."""
    copy = kwargs.get("copy", False)
    dtype, dev = _parse_to(args, kwargs)
    out = self
    if dev is not None:
        dev = _device(dev)
        if dev.type == "cuda":
            from ..backend import to_device

            out = to_device(out, dev)
    if dtype is not None:
        np_dtype = _dt.to_numpy_dtype(dtype)
        if out._data.dtype != np_dtype:
            if self._requires_grad and np_dtype.kind not in "fc":
                with _no_grad():
                    return ToCopy.apply(out, np_dtype)
            return ToCopy.apply(out, np_dtype)
    if copy and out is self:
        return clone(self)
    return out


def _no_grad():
    from ..autograd.grad_mode import no_grad

    return no_grad()


class Clone(Node):
    """d(clone(x)) = grad"""

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return (grad,)


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """``input`` if it is C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


METHODS = {}

register(
    OpSpec("to_float64", lambda t, a: a.to(t.float64) * 1.0, [((3,),), ((),)], dtypes=("float32",)),
    OpSpec("clone", lambda t, a: a.clone(), [((3, 4),), ((),)]),
)
