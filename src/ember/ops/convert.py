"""dtype and device conversions (``to``, ``float()``, ``type()``, ...), clone and contiguous."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..device import device as _device
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .registry import declare, op, public_names


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


@op(
    ToCopy,
    methods="to",
    public=False,
    vmap=batching.elementwise,
    spec=OpSpec(
        "to_float64", lambda t, a: a.to(t.float64) * 1.0, [((3,),), ((),)], dtypes=("float32",)
    ),
)
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


def _cast(dtype_name, doc):
    def cast(self):
        return to(self, getattr(_dt, dtype_name))

    cast.__name__ = cast.__qualname__ = {"float32": "float", "float64": "double",
        "float16": "half", "int64": "long", "int32": "int", "int16": "short", "int8": "char",
        "uint8": "byte", "bool": "bool"}[dtype_name]  # fmt: skip
    cast.__doc__ = doc
    return cast


# x.float(), x.double(), ...: ``to`` with a fixed dtype.
for _dtype, _doc in (
    ("float32", "Cast to float32."),
    ("float64", "Cast to float64."),
    ("float16", "Cast to float16."),
    ("int64", "Cast to int64."),
    ("int32", "Cast to int32."),
    ("int16", "Cast to int16."),
    ("int8", "Cast to int8."),
    ("uint8", "Cast to uint8."),
    ("bool", "Cast to bool."),
):
    _fn = _cast(_dtype, _doc)
    declare(None, _fn, methods=(_fn.__name__,), public=False)


def type(self, dtype=None, **kwargs):  # noqa: A001 - PyTorch's method name
    """The legacy type name (``torch.FloatTensor``), or a copy converted to ``dtype``."""
    if dtype is None:
        from ..autograd.errors import legacy_type_name

        return legacy_type_name(self._data)
    return to(self, dtype)


def type_as(self, other):
    """Cast to ``other``'s dtype."""
    return to(self, other.dtype)


def cpu(self):
    """The tensor on the CPU (itself when already there)."""
    return to(self, "cpu")


def cuda(self, device=None):
    """The tensor on the GPU (needs CuPy)."""
    return to(self, "cuda" if device is None else device)


for _fn in (type, type_as, cpu, cuda):
    declare(None, _fn, methods=(_fn.__name__,), public=False)


class Clone(Node):
    """d(clone(x)) = grad"""

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return (grad,)


@op(
    Clone,
    methods="clone",
    vmap=batching.elementwise,
    spec=OpSpec("clone", lambda t, a: a.clone(), [((3, 4),), ((),)]),
)
def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """``input`` if it is C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


declare(None, contiguous, methods=("contiguous",), public=False)
__all__ = public_names(__name__)
